#
# Varnish 7 in front of Quire, purged by key.
#
# Quire marks every answer a shared cache may keep with `Surrogate-Key` (what the answer was
# built from: `article:12 user:3 tag:rust home site ...`) and `Cache-Control: s-maxage=...`.
# This VCL indexes those keys with the xkey module (Debian: varnish-modules), and Quire's
# purge consumer (QUIRE_PURGE_URLS=http://varnish-host:6081/) sends
#   PURGE /  with  xkey: article:12 home tag:rust
# whenever content changes, so a publish shows at once and nothing else is thrown away.
#
# Only answers that carry keys (pages and feeds for readers without a session) or are immutable
# (static assets) are stored; everything else, and everyone signed in, goes straight to Quire.
#
# Change the backend below to where Quire listens; with several nodes, add a backend per node
# and a directors.round_robin() (or run one Varnish per node, each listed in QUIRE_PURGE_URLS).
#
vcl 4.1;

import xkey;

backend quire {
    .host = "127.0.0.1";
    .port = "3000";
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
    }
}

# Who may purge: where Quire's nodes run. Keep it as narrow as your network allows.
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "Name the keys to purge in an xkey header"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.x-purged + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in readers see their own pages, and API clients with a key their own answers.
    if (req.http.Cookie ~ "(^|;\s*)quire_session=" || req.http.api-key || req.http.Authorization) {
        return (pass);
    }
    # Any other cookie (analytics, a consent banner) must not split the cache per reader.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    } else if (beresp.http.Cache-Control !~ "immutable") {
        # Error pages, forms, anything Quire did not mark: fetched each time.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    unset resp.http.xkey;
    # RFC 9211: each cache adds itself after the one nearer the origin (Quire's own cache).
    if (obj.uncacheable) {
        set resp.http.x-this = "varnish; fwd=bypass";
    } else if (obj.hits > 0) {
        set resp.http.x-this = "varnish; hit";
    } else {
        set resp.http.x-this = "varnish; fwd=miss";
    }
    if (resp.http.Cache-Status) {
        set resp.http.Cache-Status = resp.http.Cache-Status + ", " + resp.http.x-this;
    } else {
        set resp.http.Cache-Status = resp.http.x-this;
    }
    unset resp.http.x-this;
}
