/** Comments as Forem's API V1 shows them: a tree of `type_of: comment` with `children`. */
import { isoSeconds } from '../articles/articles.presenter.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import type { ThreadComment } from './comments.repository.ts';
import { HIDDEN_BY_AUTHOR, HIDDEN_BY_MODERATOR, idCode } from './comments.rules.ts';

/** What a comment that is not shown as written says instead. */
export function commentNotice(c: ThreadComment): string | null {
  if (c.deleted === 1) return '[deleted]';
  if (c.author.suspended_at !== null) return '[hidden by a moderator]';
  if (c.hidden === HIDDEN_BY_MODERATOR) return '[hidden by a moderator]';
  if (c.hidden === HIDDEN_BY_AUTHOR) return '[hidden by the author]';
  return null;
}

export interface CommentNode {
  comment: ThreadComment;
  children: CommentNode[];
}

/** The comments of an article as a forest, each level in the order written. */
export function commentTree(comments: readonly ThreadComment[]): CommentNode[] {
  const nodes = new Map<number, CommentNode>();
  const roots: CommentNode[] = [];
  for (const comment of comments) {
    const node: CommentNode = { comment, children: [] };
    nodes.set(comment.id, node);
    const parent = comment.parent_id === null ? undefined : nodes.get(comment.parent_id);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** The node of one comment and everything under it, or undefined. */
export function findNode(roots: readonly CommentNode[], id: number): CommentNode | undefined {
  const stack = [...roots];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.comment.id === id) return node;
    stack.push(...node.children);
  }
  return undefined;
}

export interface CommentJson {
  type_of: 'comment';
  id_code: string;
  created_at: string;
  edited_at: string | null;
  body_html: string;
  public_reactions_count: number;
  user: ReturnType<typeof sharedUserJson>;
  children: CommentJson[];
}

/** One comment and its replies, at any depth. */
export function commentJson(node: CommentNode, baseUrl: string): CommentJson {
  const c = node.comment;
  const notice = commentNotice(c);
  return {
    type_of: 'comment',
    id_code: idCode(c.id),
    created_at: isoSeconds(c.created_at),
    edited_at: c.edited_at === null ? null : isoSeconds(c.edited_at),
    body_html: notice === null ? c.body_html : `<p>${notice}</p>`,
    public_reactions_count: c.public_reactions_count,
    user: sharedUserJson(c.author, baseUrl),
    children: node.children.map((child) => commentJson(child, baseUrl)),
  };
}
