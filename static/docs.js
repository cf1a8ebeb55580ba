// Renders /openapi.json as a readable list of operations, grouped by tag. No third-party code.
const root = document.getElementById("api");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function resolve(schema, components) {
  if (schema && schema.$ref) return components[schema.$ref.split("/").pop()] || schema;
  return schema;
}

function schemaBlock(title, schema, components) {
  const resolved = resolve(schema, components);
  return el("div", {}, el("h4", {}, title), el("pre", {}, JSON.stringify(resolved, null, 2)));
}

function operation(method, path, op, components) {
  const summary = el("summary", {}, el("span", { class: `method ${method}` }, method),
    el("span", { class: "path" }, path), el("span", {}, op.summary || ""));
  if (op.security) summary.append(el("span", { class: "lock" }, "bearer token"));
  const body = el("div", { class: "body" });
  if (op.description) body.append(el("p", {}, op.description));
  if (op.parameters && op.parameters.length) {
    const list = el("ul");
    for (const p of op.parameters) list.append(el("li", {}, `${p.name} (${p.in})${p.required ? ", required" : ""}`));
    body.append(el("h4", {}, "Parameters"), list);
  }
  const content = op.requestBody && op.requestBody.content;
  if (content) {
    for (const [type, media] of Object.entries(content)) body.append(schemaBlock(`Request body: ${type}`, media.schema, components));
  }
  for (const [status, response] of Object.entries(op.responses || {})) {
    const media = response.content && response.content["application/json"];
    if (media) body.append(schemaBlock(`Response ${status}`, media.schema, components));
  }
  return el("details", {}, summary, body);
}

async function render() {
  const doc = await (await fetch("/openapi.json")).json();
  const components = (doc.components && doc.components.schemas) || {};
  const groups = new Map();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = (op.tags && op.tags[0]) || "other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(operation(method.toUpperCase(), path, op, components));
    }
  }
  root.replaceChildren();
  for (const [tag, ops] of groups) root.append(el("h2", {}, tag), ...ops);
}

render().catch((error) => { root.textContent = `Could not load the API description: ${error.message}`; });
