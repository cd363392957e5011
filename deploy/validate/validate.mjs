// Validates Kubernetes manifests (multi-document YAML files) against the API schemas of a pinned
// Kubernetes version: kubernetes-models 4.5.1 carries the OpenAPI schemas of Kubernetes 1.27.1,
// @kubernetes-models/prometheus-operator 4.4.4 those of the ServiceMonitor CRD.
//
//   node validate.mjs FILE...                   every document must be valid
//   node validate.mjs --expect-invalid FILE...  every document must be rejected (self-test)
//
// Objects of an unknown apiVersion/kind are errors, not skipped. Also checked: metadata.name is a
// DNS-1123 name, no two objects share kind/namespace/name, and container fields typed in the schema
// are known (a misspelt key such as "readinesProbe" is reported; see checkKnownFields).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
const expectInvalid = args[0] === "--expect-invalid";
const files = expectInvalid ? args.slice(1) : args;
if (files.length === 0) {
  console.error("usage: node validate.mjs [--expect-invalid] FILE...");
  process.exit(2);
}

function modulePath(apiVersion) {
  if (apiVersion === "v1") return "kubernetes-models/v1";
  const [group, version] = apiVersion.split("/");
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// kubernetes-models' compiled schemas accept unknown properties (the upstream OpenAPI schemas do not
// forbid them), so the fields of the objects this project writes by hand are listed here and checked
// strictly: a typo in a pod spec or container would otherwise pass silently.
const KNOWN = {
  container: ["name", "image", "imagePullPolicy", "command", "args", "workingDir", "ports", "env", "envFrom",
    "resources", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
    "terminationMessagePath", "terminationMessagePolicy", "securityContext", "stdin", "stdinOnce", "tty",
    "resizePolicy", "restartPolicy"],
  podSpec: ["activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig",
    "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases", "hostIPC", "hostNetwork", "hostPID",
    "hostUsers", "hostname", "imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead",
    "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "resourceClaims", "restartPolicy",
    "runtimeClassName", "schedulerName", "schedulingGates", "securityContext", "serviceAccount",
    "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace", "subdomain",
    "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints", "volumes"],
  probe: ["exec", "failureThreshold", "grpc", "httpGet", "initialDelaySeconds", "periodSeconds",
    "successThreshold", "tcpSocket", "terminationGracePeriodSeconds", "timeoutSeconds"],
  securityContext: ["allowPrivilegeEscalation", "capabilities", "privileged", "procMount", "readOnlyRootFilesystem",
    "runAsGroup", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile", "windowsOptions"],
  podSecurityContext: ["fsGroup", "fsGroupChangePolicy", "runAsGroup", "runAsNonRoot", "runAsUser",
    "seLinuxOptions", "seccompProfile", "supplementalGroups", "sysctls", "windowsOptions"],
  volumeMount: ["mountPath", "mountPropagation", "name", "readOnly", "subPath", "subPathExpr"],
  envVar: ["name", "value", "valueFrom"],
  objectMeta: ["name", "namespace", "labels", "annotations", "generateName", "finalizers", "ownerReferences"],
  deploymentSpec: ["minReadySeconds", "paused", "progressDeadlineSeconds", "replicas", "revisionHistoryLimit",
    "selector", "strategy", "template"],
};

function unknownKeys(obj, allowed, where, errors) {
  if (!obj || typeof obj !== "object") return;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) errors.push(`${where}: unknown field "${key}"`);
  }
}

function checkPodSpec(spec, where, errors) {
  if (!spec) return;
  unknownKeys(spec, KNOWN.podSpec, where, errors);
  unknownKeys(spec.securityContext, KNOWN.podSecurityContext, `${where}/securityContext`, errors);
  for (const [i, c] of [...(spec.containers ?? []), ...(spec.initContainers ?? [])].entries()) {
    const cw = `${where}/containers/${i}`;
    unknownKeys(c, KNOWN.container, cw, errors);
    for (const p of ["livenessProbe", "readinessProbe", "startupProbe"]) unknownKeys(c[p], KNOWN.probe, `${cw}/${p}`, errors);
    unknownKeys(c.securityContext, KNOWN.securityContext, `${cw}/securityContext`, errors);
    for (const [j, m] of (c.volumeMounts ?? []).entries()) unknownKeys(m, KNOWN.volumeMount, `${cw}/volumeMounts/${j}`, errors);
    for (const [j, e] of (c.env ?? []).entries()) unknownKeys(e, KNOWN.envVar, `${cw}/env/${j}`, errors);
    const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) errors.push(`${cw}: volumeMount "${m.name}" has no volume`);
    }
  }
}

function checkKnownFields(doc, errors) {
  unknownKeys(doc.metadata, KNOWN.objectMeta, "/metadata", errors);
  if (doc.kind === "Deployment") {
    unknownKeys(doc.spec, KNOWN.deploymentSpec, "/spec", errors);
    unknownKeys(doc.spec?.template?.metadata, KNOWN.objectMeta, "/spec/template/metadata", errors);
    checkPodSpec(doc.spec?.template?.spec, "/spec/template/spec", errors);
  } else if (doc.kind === "CronJob") {
    checkPodSpec(doc.spec?.jobTemplate?.spec?.template?.spec, "/spec/jobTemplate/spec/template/spec", errors);
  } else if (doc.kind === "Pod") {
    checkPodSpec(doc.spec, "/spec", errors);
  }
}

async function validateDoc(doc) {
  const errors = [];
  if (!doc || typeof doc !== "object") return ["not an object"];
  const { apiVersion, kind } = doc;
  if (!apiVersion || !kind) return ["missing apiVersion or kind"];
  let mod;
  try {
    mod = await import(modulePath(apiVersion));
  } catch (e) {
    return [`unknown apiVersion ${apiVersion}`];
  }
  const Model = mod[kind];
  if (typeof Model !== "function") return [`unknown kind ${kind} in ${apiVersion}`];
  try {
    new Model(doc).validate();
  } catch (e) {
    const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}`);
    errors.push(details.length ? details.join("; ") : String(e.message ?? e));
  }
  const name = doc.metadata?.name;
  if (!name || !DNS1123.test(name) || name.length > 253) errors.push(`metadata.name "${name}" is not a DNS-1123 name`);
  checkKnownFields(doc, errors);
  return errors;
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const seen = new Set();
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) {
      failed++;
      console.error(`FAIL ${file}: YAML error: ${d.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const doc = d.toJS();
    if (doc == null) continue;
    const id = `${doc.kind}/${doc.metadata?.namespace ?? ""}/${doc.metadata?.name}`;
    const errors = await validateDoc(doc);
    if (seen.has(id)) errors.push("duplicate object");
    seen.add(id);
    const ok = errors.length === 0;
    if (ok !== expectInvalid) {
      passed++;
      if (expectInvalid) console.log(`ok   ${file} ${id} rejected: ${errors[0]}`);
    } else {
      failed++;
      console.error(expectInvalid ? `FAIL ${file} ${id}: accepted but should be rejected`
                                  : `FAIL ${file} ${id}: ${errors.join(" | ")}`);
    }
  }
}
console.log(`manifests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
