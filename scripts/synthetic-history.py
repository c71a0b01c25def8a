#!/usr/bin/env python3
"""Writes a git fast-import stream of a synthetic repository to stdout, and the names of the Secrets
it plants as plaintext (the findings `kseal scan --history` must report, one per name) to stderr.

Usage: synthetic-history.py COMMITS FILES
Every commit rewrites one of FILES ordinary manifests (ConfigMaps, Deployments); at fixed points it
plants each positive form (added then deleted, rotated in place, only on a branch, only in a tag, JSON,
List, multi-document, TLS key, secretGenerator literal, last-applied annotation) and each negative one
(sealed, SOPS, template, empty, ConfigMap named like a Secret, allow-plaintext annotation).
"""
import random
import sys

commits, nfiles = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(42)
out = sys.stdout.buffer
planted = []
mark = 0
when = 1_600_000_000


def blob(text):
    global mark
    mark += 1
    data = text.encode()
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark


def commit(ref, files, message, parent=None, deletes=()):
    global mark, when
    marks = {path: blob(text) for path, text in files.items()}
    mark += 1
    when += 60
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.write(b"author Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\n" % (when, when))
    msg = message.encode()
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    if parent:
        out.write(b"from :%d\n" % parent)
    for path, m in marks.items():
        out.write(b"M 100644 :%d %s\n" % (m, path.encode()))
    for path in deletes:
        out.write(b"D %s\n" % path.encode())
    return mark


def ordinary(i, rev):
    if i % 2:
        return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  revision: \"{rev}\"\n  value: \"{rng.random()}\"\n"
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n  replicas: {rev % 5 + 1}\n"
            f"  template:\n    spec:\n      containers:\n        - name: app\n          image: app:{rev}\n"
            f"          env:\n            - name: PASSWORD\n              valueFrom: {{secretKeyRef: {{name: app-{i}, key: password}}}}\n")


def secret(name, body):
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: bench\n{body}"


def plant(name):
    planted.append(name)
    return name


b64_tls = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1DNENBUUF3QlFZREsyVndCQ0lFSUZha2UKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo="
events = {
    commits // 10: {"secrets/deleted.yaml": secret(plant("deleted"), "stringData:\n  password: bench-deleted-1\n")},
    commits // 10 + 1: "delete secrets/deleted.yaml",
    commits // 5: {"secrets/rotated.yaml": secret(plant("rotated"), "stringData:\n  password: bench-rotation-1\n")},
    commits // 4: {"secrets/rotated.yaml": secret("rotated", "stringData:\n  password: bench-rotation-2\n")},
    commits // 3: {"secrets/list.json": '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s"},"data":{"k":"YmVuY2gtanNvbg=="}}]}' % plant("json-list")},
    commits // 3 + 1: {"secrets/multi.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" + secret(plant("multi-doc"), "stringData:\n  token: bench-multi\n")},
    commits // 3 + 2: {"secrets/tls.yaml": secret(plant("tls"), f"type: kubernetes.io/tls\ndata:\n  tls.key: {b64_tls}\n")},
    commits // 3 + 3: {"kustomize/kustomization.yaml": "secretGenerator:\n- name: %s\n  literals:\n  - API_KEY=bench-literal\n" % plant("generator")},
    commits // 3 + 4: {"deploy/applied.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\"},\"stringData\":{\"p\":\"bench-applied\"}}'\n" % plant("last-applied")},
    commits // 2: {
        "negative/sealed.yaml": secret("neg-sealed", "stringData:\n  password: kseal:v1:strict:0123abcd:AAAA\n"),
        "negative/sops.yaml": secret("neg-sops", "stringData:\n  password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\n"),
        "negative/template.yaml": secret("neg-template", "stringData:\n  password: \"{{ .Values.password }}\"\n  other: ${PASSWORD}\n"),
        "negative/empty.yaml": secret("neg-empty", "stringData:\n  password: \"\"\n"),
        "negative/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Secret\ndata:\n  password: not-a-secret\n",
        "negative/allowed.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: neg-allowed\n  annotations:\n    kseal.dev/allow-plaintext: fixture\nstringData:\n  password: allowed\n",
    },
}

tip = None
for c in range(commits):
    event = events.get(c)
    if isinstance(event, dict):
        tip = commit("refs/heads/main", event, f"plant {c}", tip)
    elif isinstance(event, str):
        tip = commit("refs/heads/main", {}, f"delete {c}", tip, deletes=[event.split(" ", 1)[1]])
    else:
        i = rng.randrange(nfiles)
        tip = commit("refs/heads/main", {f"manifests/m{i}.yaml": ordinary(i, c)}, f"change {c}", tip)
    if c == commits // 2 + 1:
        commit("refs/heads/feature", {"feature/secret.yaml": secret(plant("branch-only"), "stringData:\n  password: bench-branch\n")}, "feature", tip)
        commit("refs/tags/v1", {"tagged/secret.yaml": secret(plant("tag-only"), "stringData:\n  password: bench-tag\n")}, "tagged", tip)
out.write(b"done\n")
# The rotated Secret gives two findings with one name; names are what the benchmark compares.
sys.stderr.write("\n".join(sorted(set(planted))) + "\n")
