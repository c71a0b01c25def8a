#!/usr/bin/env python3
"""Writes a git fast-import stream of a history shaped like helm/charts to stdout, and what it plants
to stderr as JSON: {"leaks": [names the scan must report as leaks], "placeholders": [names it must
report as placeholders only]}.

Usage: shaped-history.py [SCALE]    (SCALE 1.0 = the full shape; 0.1 for a quick run)

The shape (docs/ARCHITECTURE.md §4, measured on helm/charts): ~118k commits and ~20k refs at SCALE 1; ~520
charts in stable/ and incubator/, 11 files each (~5,700 files in ~1,000 trees per snapshot: wide
`stable/` and `incubator/` trees, small chart trees); pull requests of 1-9 commits each, merged into
main with a merge commit, each leaving a `refs/pull/N/head` ref; files of a few KB edited a little
per commit; every chart has a `templates/secret.yaml` Helm template (not YAML; values are `{{ }}`
expressions), so the prefilter lets thousands of candidates through to the parser, as on the real
repository. Every values.yaml has credential keys with empty defaults, as real charts do. Planted: a
leak only on an unmerged pull request, a Helm template with a literal value, a Secret rotated in
place (two findings), a committed age identity, a leak squash-merged (its pull-request commit
introduces it; main holds it), placeholders (not leaks), and credentials outside Secrets (a values
password and a placeholder one, an env literal, a ConfigMap token, a configMapGenerator literal, a
Slack token in an annotation).
"""
import functools
import json
import random
import sys

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
rng = random.Random(7)
out = sys.stdout.buffer
mark = 0
when = 1_450_000_000
leaks, placeholders = [], []

n_charts = max(20, int(520 * min(1.0, scale * 4)))
n_prs = max(40, int(20_000 * scale))


def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark


def commit(ref, changes, message, parents=(), deletes=()):
    """changes: {path: bytes}. Returns the commit's mark."""
    global mark, when
    marks = {path: blob(data) for path, data in changes.items()}
    mark += 1
    when += rng.randrange(30, 600)
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.write(b"author Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\n" % (when, when))
    msg = message.encode()
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    for i, p in enumerate(parents):
        out.write(b"%s :%d\n" % (b"from" if i == 0 else b"merge", p))
    for path in deletes:
        out.write(b"D %s\n" % path.encode())
    for path, m in marks.items():
        out.write(b"M 100644 :%d %s\n" % (m, path.encode()))
    return mark


WORDS = "deployment service ingress replica image tag pull policy resources limits memory cpu requests node selector tolerations affinity persistence storage class access mode size annotations labels enabled port target protocol probe liveness readiness timeout period threshold".split()


@functools.lru_cache(maxsize=200_000)
def prose(n, seed):
    r = random.Random(repr(seed))
    return " ".join(r.choice(WORDS) for _ in range(n))


def values_yaml(chart, rev):
    lines = [f"# Default values for {chart} (revision {rev}).", f"replicaCount: {rev % 3 + 1}", "image:", f"  repository: example/{chart}", f"  tag: {rev}.0.{rev % 7}", "  pullPolicy: IfNotPresent"]
    # Credential settings as real charts ship them: empty (or a Secret's name) by default, so the
    # values prefilter sees credential keys in every version and must let them pass unparsed.
    lines += ["auth:", "  existingSecret: \"\"", "  password: \"\"", "  rootPassword:", f"  tlsSecret: {chart}-tls"]
    for i in range(60):
        lines.append(f"# {prose(8, (chart, i))}")
        lines.append(f"section{i}:\n  enabled: {'true' if (i + rev) % 5 else 'false'}\n  value: \"{prose(3, (chart, i, rev if i == rev % 60 else 0))}\"")
    return ("\n".join(lines) + "\n").encode()


def readme(chart, rev):
    body = [f"# {chart}", "", f"Chart revision {rev}.", prose(40, chart), "", "| Parameter | Description | Default |", "|---|---|---|"]
    for i in range(70):
        body.append(f"| `section{i}.value` | {prose(6, (chart, 'r', i))} | `{prose(1, (chart, i, rev if i == rev % 70 else 0))}` |")
    return ("\n".join(body) + "\n").encode()


def chart_yaml(chart, rev):
    return f"apiVersion: v1\nname: {chart}\nversion: {rev // 10}.{rev % 10}.0\nappVersion: \"{rev}\"\ndescription: {prose(10, chart)}\nmaintainers:\n- name: dev\n  email: dev@example.com\n".encode()


def template(chart, name, rev):
    if name == "secret.yaml":
        return (f"{{{{- if .Values.secret.enabled }}}}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{{{ template \"{chart}.fullname\" . }}}}\n"
                f"  labels:\n{{{{ include \"{chart}.labels\" . | indent 4 }}}}\ntype: Opaque\ndata:\n"
                f"  password: {{{{ .Values.password | b64enc | quote }}}}\n  rev: {{{{ \"{rev}\" | b64enc }}}}\n{{{{- end }}}}\n").encode()
    if name == "_helpers.tpl":
        return ("".join(f"{{{{/* {prose(8, (chart, i))} */}}}}\n{{{{- define \"{chart}.h{i}\" -}}}}\n{{{{- .Chart.Name | trunc 63 -}}}}\n{{{{- end -}}}}\n" for i in range(12)) + f"# rev {rev}\n").encode()
    body = [f"apiVersion: apps/v1\nkind: {name.split('.')[0].capitalize()}\nmetadata:\n  name: {{{{ template \"{chart}.fullname\" . }}}}\nspec:"]
    for i in range(25):
        body.append(f"  field{i}: {{{{ .Values.section{i}.value | quote }}}}  # {prose(4, (chart, name, i))}")
    body.append(f"  revision: \"{rev}\"")
    return ("\n".join(body) + "\n").encode()


TEMPLATES = ["_helpers.tpl", "deployment.yaml", "service.yaml", "ingress.yaml", "configmap.yaml", "secret.yaml", "NOTES.txt"]


def chart_files(repo, chart, rev):
    base = f"{repo}/{chart}"
    files = {f"{base}/Chart.yaml": chart_yaml(chart, rev), f"{base}/values.yaml": values_yaml(chart, rev), f"{base}/README.md": readme(chart, rev), f"{base}/.helmignore": b".git\n*.swp\n"}
    for t in TEMPLATES:
        files[f"{base}/templates/{t}"] = template(chart, t, rev)
    return files


charts = [("stable" if i % 5 < 3 else "incubator", f"chart-{i:03d}") for i in range(n_charts)]
rev = {c: 1 for c in charts}


def edit(chart):
    """One pull-request commit's changes: mostly values/README/Chart.yaml, sometimes a template."""
    repo, name = chart
    rev[chart] += 1
    r = rev[chart]
    base = f"{repo}/{name}"
    roll = rng.random()
    if roll < 0.45:
        return {f"{base}/values.yaml": values_yaml(name, r), f"{base}/Chart.yaml": chart_yaml(name, r)}
    if roll < 0.75:
        return {f"{base}/README.md": readme(name, r)}
    if roll < 0.9:
        t = rng.choice(TEMPLATES)
        return {f"{base}/templates/{t}": template(name, t, r)}
    return {f"{base}/Chart.yaml": chart_yaml(name, r)}


def secret(name, body):
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: shaped\n{body}".encode()


def b64(s):
    import base64
    return base64.b64encode(s.encode()).decode()


def age_identity():
    """A fresh age identity and its public key (bech32 by hand: 20 lines, no crate to lean on here)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            b = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if ((b >> i) & 1) else 0
        return chk

    def encode(hrp, data):
        bits, acc, out5 = 0, 0, []
        for byte in data:
            acc = (acc << 8) | byte
            bits += 8
            while bits >= 5:
                bits -= 5
                out5.append((acc >> bits) & 31)
        if bits:
            out5.append((acc << (5 - bits)) & 31)
        hx = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
        pm = polymod(hx + out5 + [0] * 6) ^ 1
        return hrp + "1" + "".join(charset[d] for d in out5 + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])

    key = X25519PrivateKey.from_private_bytes(bytes(rng.randrange(256) for _ in range(32)))
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return encode("age-secret-key-", raw).upper(), encode("age", pub)


# The first snapshot.
initial = {"README.md": b"# charts\n", "OWNERS": b"approvers: [dev]\n", ".gitignore": b"*.tgz\n"}
for c in charts:
    initial.update(chart_files(*c, 1))
main = commit("refs/heads/main", initial, "initial import")

plants = {
    n_prs // 7: "pr-only",
    n_prs // 5: "helm-literal",
    n_prs // 4: "rotated-1",
    n_prs // 3: "rotated-2",
    n_prs // 2: "identity",
    (2 * n_prs) // 3: "squashed",
    (3 * n_prs) // 4: "placeholder",
    (4 * n_prs) // 5: "outside-secrets",
}
refs = []
for pr in range(1, n_prs + 1):
    chart = rng.choice(charts)
    tip = main
    for k in range(rng.randrange(1, 10)):
        tip = commit(f"refs/heads/pr-{pr}", edit(chart), f"[{chart[1]}] change {k}", (tip,))
    plant = plants.get(pr)
    base = f"{chart[0]}/{chart[1]}"
    if plant == "pr-only":
        leaks.append("pr-only-leak")
        tip = commit(f"refs/heads/pr-{pr}", {f"{base}/templates/debug-secret.yaml": secret("pr-only-leak", "stringData:\n  password: shaped-pr-only\n")}, "debug", (tip,))
        refs.append((f"refs/pull/{pr}/head", tip))
        continue  # closed without merging
    if plant == "helm-literal":
        leaks.append("helm-literal")
        t = template(chart[1], "secret.yaml", 0).replace(b"metadata:\n  name: {{", b"metadata:\n  name: helm-literal\n  x: {{").replace(b"  rev:", b"  api-key: " + b64("shaped-helm-literal").encode() + b"\n  rev:")
        tip = commit(f"refs/heads/pr-{pr}", {f"{base}/templates/secret.yaml": t}, "literal", (tip,))
    if plant in ("rotated-1", "rotated-2"):
        if plant == "rotated-1":
            leaks.append("rotated")
        tip = commit(f"refs/heads/pr-{pr}", {"ops/rotated.yaml": secret("rotated", f"stringData:\n  password: shaped-{plant}\n")}, "rotate", (tip,))
    if plant == "identity":
        identity, recipient = age_identity()
        leaks.append(recipient)
        tip = commit(f"refs/heads/pr-{pr}", {"ops/cluster.agekey": f"# public key: {recipient}\n{identity}\n".encode()}, "key", (tip,))
        tip = commit(f"refs/heads/pr-{pr}", {}, "remove key", (tip,), deletes=["ops/cluster.agekey"])
    if plant == "placeholder":
        placeholders.append("placeholder")
        tip = commit(f"refs/heads/pr-{pr}", {f"{base}/templates/example-secret.yaml": secret("placeholder", "stringData:\n  password: changeme\n  token: <REPLACE_ME>\n")}, "example", (tip,))
    if plant == "outside-secrets":
        # Issue 28's classes: a Helm values password (and a placeholder one), an env literal, a
        # ConfigMap token, a configMapGenerator literal and a Slack token in an annotation.
        leaks += [".Values", "env-literal", "cm-credential", "cm-generator", "known-format"]
        placeholders.append(".Values")
        values = values_yaml(chart[1], 999).replace(b'  password: ""', b"  password: Shaped-Values-9x8y").replace(b"  rootPassword:", b"  rootPassword: changeme")
        files = {
            f"{base}/values.yaml": values,
            "ops/deploy.yaml": b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: env-literal}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env:\n        - {name: DB_PASSWORD, value: shaped-env-pw-77}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-credential}\ndata:\n  api_token: shaped-cm-token-55\n",
            "ops/kustomization.yaml": b"configMapGenerator:\n- name: cm-generator\n  literals: [API_TOKEN=shaped-gen-token-33]\n",
            "ops/notify.yaml": b"apiVersion: v1\nkind: Service\nmetadata:\n  name: known-format\n  annotations:\n    slack: xoxb-918273645501-4f9TqXk2LmZp8RwY3vBn6Hs\nspec: {ports: [{port: 80}]}\n",
        }
        tip = commit(f"refs/heads/pr-{pr}", files, "config", (tip,))
    if plant == "squashed":
        leaks.append("squashed")
        leak = {"ops/squashed.yaml": secret("squashed", "stringData:\n  password: shaped-squashed\n")}
        tip = commit(f"refs/heads/pr-{pr}", leak, "leak", (tip,))
        refs.append((f"refs/pull/{pr}/head", tip))
        main = commit("refs/heads/main", leak, f"squash #{pr}", (main,))
        continue
    refs.append((f"refs/pull/{pr}/head", tip))
    # fast-import starts a commit's tree from its first parent: the pull request's tip, which is
    # main plus the change (main did not move meanwhile).
    main = commit("refs/heads/main", {}, f"Merge pull request #{pr}", (tip, main))
    if pr % 200 == 0:
        refs.append((f"refs/tags/release-{pr // 200}", main))

for name, m in refs:
    out.write(b"reset %s\nfrom :%d\n\n" % (name.encode(), m))
# The refs/heads/pr-* branches were only a way to build; bench-scan-shaped deletes them after the
# import, so only main, the pull refs and the tags stay (as on the real repository).
out.write(b"done\n")
sys.stderr.write(json.dumps({"leaks": sorted(set(leaks)), "placeholders": sorted(set(placeholders))}) + "\n")
