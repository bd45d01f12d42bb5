#!/usr/bin/env bash
# The three commands of docs/tcp.md ("Try it"), as a new user types them: a
# network namespace with a TUN device in it, `lim tcp serve` there, and nc
# echoing through it. Then SIGINT: the server closes and exits 0. Skips
# (exit 77) where namespaces, TUN devices, ip or nc are missing.
set -uo pipefail
lim="$1"
for tool in ip nc; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -e /dev/net/tun ] || { echo "SKIP: /dev/net/tun does not exist"; exit 77; }
ns="lim-docs-$$"
log="$(mktemp)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -f "$log"
}
trap cleanup EXIT
ip netns add "$ns" 2>/dev/null || { echo "SKIP: cannot make a network namespace"; exit 77; }

# 1. A namespace with a TUN device; the kernel's address is 198.18.0.1.
ip netns exec "$ns" sh -c 'ip link set lo up && ip tuntap add dev tun0 mode tun && ip addr add 198.18.0.1/24 dev tun0 && ip link set tun0 up' || exit 1
# 2. lim behind it, at 198.18.0.2.
ip netns exec "$ns" "$lim" tcp serve --tun tun0 --address 198.18.0.2 --port 7 --app echo >"$log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "serving echo" "$log" && break; sleep 0.05; done
grep -q "serving echo" "$log" || { echo "the server did not start:"; cat "$log"; exit 1; }
# 3. nc through it.
reply="$(echo 'hello, session types' | timeout 10 ip netns exec "$ns" nc -N 198.18.0.2 7)"
if [ "$reply" != "hello, session types" ]; then
  echo "nc got '$reply'"; cat "$log"; exit 1
fi

kill -INT "$server"
wait "$server"
status=$?
server=""
cat "$log"
[ "$status" -eq 0 ] || { echo "lim tcp serve exited $status after SIGINT"; exit 1; }
grep -q "198.18.0.1:[0-9]* → 198.18.0.2:7 ESTABLISHED" "$log" || { echo "no connection event logged"; exit 1; }
echo "ok"
