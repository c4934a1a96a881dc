"""Checks deploy/kubernetes/: every manifest validates (strictly: unknown fields are errors)
against the Kubernetes API schemas shipped by kubernetes-validate (PyPI, pinned in
requirements.txt), and the manifests say what scaling out needs: replicas on one shared
ReadWriteMany volume, probes on /health, 2 cores requested, the pod name as replica_id.

    .build/venv-clients/bin/python scripts/tests/check_kubernetes.py deploy/kubernetes
"""
import glob
import os
import sys

import kubernetes_validate
import yaml


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main(directory):
    version = kubernetes_validate.latest_version()
    resources = []
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is None:
                    continue
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as e:
                    fail(f"{path}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}: {e.message} at {list(e.path)}")
                resources.append(doc)
                print(f"valid against Kubernetes {version}: {os.path.basename(path)} {doc['kind']}/{doc['metadata']['name']}")
    kinds = {r["kind"]: r for r in resources}
    workload = kinds.get("StatefulSet") or kinds.get("Deployment") or fail("no StatefulSet or Deployment")
    if "Service" not in kinds:
        fail("no Service")
    claims = [r for r in resources if r["kind"] == "PersistentVolumeClaim"]
    if not claims or "ReadWriteMany" not in claims[0]["spec"]["accessModes"]:
        fail("no ReadWriteMany PersistentVolumeClaim for the shared state directory")
    pod = workload["spec"]["template"]["spec"]
    if workload["spec"].get("replicas", 1) < 2:
        fail("fewer than 2 replicas")
    volume_claims = {v["persistentVolumeClaim"]["claimName"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v}
    if claims[0]["metadata"]["name"] not in volume_claims:
        fail("the pods do not mount the shared claim")
    container = pod["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        if container.get(probe, {}).get("httpGet", {}).get("path") != "/health":
            fail(f"{probe} is not GET /health")
    if str(container["resources"]["requests"]["cpu"]) not in ("2", "2000m"):
        fail("cpu request is not 2 cores")
    env = {e["name"]: e for e in container.get("env", [])}
    state = env.get("KVSERVE_STATE_DIR", {}).get("value")
    if state not in {m["mountPath"] for m in container.get("volumeMounts", [])}:
        fail("KVSERVE_STATE_DIR is not the mounted shared volume")
    if env.get("KVSERVE_REPLICA_ID", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") != "metadata.name":
        fail("KVSERVE_REPLICA_ID is not the pod name")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
