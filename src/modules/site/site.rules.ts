/** Limits on the site's settings, which the admin page shows beside its fields. */
export const SITE_NAME_MAX = 100;
export const SITE_DESCRIPTION_MAX = 300;
