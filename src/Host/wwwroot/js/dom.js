// Tiny DOM helpers: elements are built, never parsed from strings, so data from the API is always text.

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(element, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.setAttribute('class', value);
    // CSSOM, not a style attribute: allowed by the page's Content-Security-Policy.
    else if (name === 'style') Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

function appendAll(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** An HTML element: h('td', { class: 'n' }, '12'). */
export function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attrs);
  appendAll(element, children);
  return element;
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attrs);
  appendAll(element, children);
  return element;
}

export function clear(element, ...children) {
  element.replaceChildren();
  appendAll(element, children);
  return element;
}

export const $ = id => document.getElementById(id);
