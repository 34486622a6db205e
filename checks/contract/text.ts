/**
 * `text` in one piece. V8 keeps a string built of parts as a tree of them (32 bytes a node, the
 * parts kept too), and the every-node run keeps a few hundred thousand such strings at a thousand
 * nodes (its requests, its paths' words). Normalizing makes V8 join the string in place, and the
 * parts go at the next collection; the text the lab writes (ASCII) is otherwise unchanged.
 */
export function onePiece(text: string): string {
  return text.normalize();
}
