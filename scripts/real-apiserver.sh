# Sourced by the scripts that measure against a real kube-apiserver 1.36 on loopback
# (bench-apply-real, bench-controller): starts etcd (Debian's etcd-server) and KSEAL_KUBE_APISERVER
# in $work, writes the admin kubeconfig $work/kc and waits until the server is ready. The caller
# sets `work` (a temporary folder) and `pids` (an array its EXIT trap kills).
kas=${KSEAL_KUBE_APISERVER:?set KSEAL_KUBE_APISERVER to a kube-apiserver binary}
command -v etcd >/dev/null || { echo "needs etcd (apt-get install etcd-server)" >&2; exit 2; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
client=$(port) peer=$(port) secure=$(port)
etcd --name=bench --data-dir="$work/etcd" --listen-client-urls="http://127.0.0.1:$client" \
  --advertise-client-urls="http://127.0.0.1:$client" --listen-peer-urls="http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls="http://127.0.0.1:$peer" --initial-cluster="bench=http://127.0.0.1:$peer" \
  > "$work/etcd.log" 2>&1 &
pids+=($!)
printf 'admintoken,admin,admin,"system:masters"\n' > "$work/tokens.csv"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/sa.key" 2>/dev/null
openssl pkey -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null
"$kas" --etcd-servers="http://127.0.0.1:$client" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
  --secure-port="$secure" --cert-dir="$work/certs" --token-auth-file="$work/tokens.csv" --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-account-key-file="$work/sa.pub" \
  --service-account-signing-key-file="$work/sa.key" --service-cluster-ip-range=10.0.0.0/24 \
  --endpoint-reconciler-type=none > "$work/kas.log" 2>&1 &
pids+=($!)
cat > "$work/kc" <<KC
apiVersion: v1
kind: Config
clusters: [{name: real, cluster: {server: "https://127.0.0.1:$secure", certificate-authority: "$work/certs/apiserver.crt"}}]
contexts: [{name: real, context: {cluster: real, user: u}}]
current-context: real
users: [{name: u, user: {token: admintoken}}]
KC
for _ in $(seq 300); do
  [ -f "$work/certs/apiserver.crt" ] && kubectl --kubeconfig "$work/kc" get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.2
done
