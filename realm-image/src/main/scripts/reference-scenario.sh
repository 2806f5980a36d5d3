#!/usr/bin/env bash
# The reference scenario on this machine: a realm on 9000 (ws) and 9443 (wss, with a development
# certificate made at start-up) and our forward proxy on 127.0.0.1:3128, allowing CONNECT only to
# those two ports and only from loopback, with Via on. Prints the Chromium command line that opens
# the realm's demo page through the proxy. Ctrl-C stops both.
#
# Build first:  ./mvnw -B -q package -DskipTests
# Ports can be changed: WS_PORT=19000 WSS_PORT=19443 PROXY_PORT=13128 realm-image/src/main/scripts/reference-scenario.sh
set -euo pipefail
cd "$(dirname "$0")/../../../.."

WS_PORT="${WS_PORT:-9000}"
WSS_PORT="${WSS_PORT:-9443}"
PROXY_PORT="${PROXY_PORT:-3128}"
REALM_JAR=realm-image/target/realmgate-realm.jar
PROXY_JAR=proxy-image/target/realmgate-proxy.jar
for jar in "$REALM_JAR" "$PROXY_JAR"; do
  [ -f "$jar" ] || { echo "reference-scenario: $jar is missing; build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
done

logs="$(mktemp -d "${TMPDIR:-/tmp}/realmgate-scenario.XXXXXX")"
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "reference-scenario: stopped (logs in $logs)"
}
trap stop INT TERM EXIT

java -jar "$REALM_JAR" --ws-port "$WS_PORT" --wss-port "$WSS_PORT" --self-signed >"$logs/realm.log" 2>&1 &
pids+=($!)
java -jar "$PROXY_JAR" --listen "127.0.0.1:$PROXY_PORT" \
  --allow-connect "127.0.0.1:$WS_PORT,127.0.0.1:$WSS_PORT" --allow-client 127.0.0.1/32 --via >"$logs/proxy.log" 2>&1 &
pids+=($!)
tail -n +1 -f "$logs/realm.log" "$logs/proxy.log" &
pids+=($!)

spki=""
for _ in $(seq 1 100); do
  spki="$(sed -n 's/.*ignore-certificate-errors-spki-list): \([^ ]*\).*/\1/p' "$logs/realm.log" | head -1)"
  if [ -n "$spki" ] && grep -q "listening" "$logs/proxy.log" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ -z "$spki" ]; then
  echo "reference-scenario: the realm did not start; see $logs/realm.log" >&2
  exit 1
fi

cat <<MSG

== Reference scenario running: realm ws :$WS_PORT, wss :$WSS_PORT; proxy 127.0.0.1:$PROXY_PORT (CONNECT to those ports only, loopback clients only)
== Open the demo page through the proxy (WebSocket over wss, the page itself over https through the same tunnel):

chromium --proxy-server=http://127.0.0.1:$PROXY_PORT --proxy-bypass-list='<-loopback>' --user-data-dir="\$(mktemp -d)" --no-first-run --ignore-certificate-errors-spki-list=$spki 'https://127.0.0.1:$WSS_PORT/?port=$WSS_PORT&secure=true'

== (--ignore-certificate-errors-spki-list excuses exactly this development certificate's key and nothing else.)
== Ctrl-C stops both.

MSG

# Either process ending ends the scenario.
wait -n "${pids[0]}" "${pids[1]}" || true
