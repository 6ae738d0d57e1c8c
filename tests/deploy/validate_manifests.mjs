// Validate Kubernetes objects against their published schemas, offline: the models of the
// npm packages kubernetes-models (core and apps), @kubernetes-models/knative (Serving, Eventing,
// sources) and @kubernetes-models/gateway-api (HTTPRoute), installed under web/ by
// `make browser-deps` (npm ci). Reads a JSON array of objects on stdin; writes one
// {kind, name, error} per object (error null when valid, "no schema: ..." when no package
// carries that kind).
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const modules = join(import.meta.dirname, "..", "..", "web", "node_modules");
const PACKAGES = { "": "kubernetes-models", apps: "kubernetes-models", "gateway.networking.k8s.io": "@kubernetes-models/gateway-api" };

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const doc of JSON.parse(input)) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const pkg = PACKAGES[group] ?? "@kubernetes-models/knative";
  const file = join(modules, pkg, ...(group ? [group] : []), version, `${doc.kind}.js`);
  const result = { kind: doc.kind, name: doc.metadata?.name ?? null, error: null };
  let Model;
  try {
    Model = (await import(pathToFileURL(file)))[doc.kind];
  } catch {
    result.error = `no schema: ${pkg} has no ${doc.apiVersion} ${doc.kind}`;
  }
  if (Model) {
    try {
      new Model(doc).validate();
    } catch (error) {
      result.error = String(error.message ?? error).slice(0, 800);
    }
  }
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
