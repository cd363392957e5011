// Building DOM nodes from data: attributes are set and children appended as text or nodes, never
// parsed as HTML (what the API returns can contain anything).

export function element(name, attributes = {}, ...children) {
  return build(document.createElement(name), attributes, children);
}

export function build(node, attributes, children) {
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}
