#!/bin/sh
# What a newcomer sees after `make demo`: a busybox bundle built from
# Debian's busybox-static, checked by husk, then run as a container that
# shows its isolation, the lifecycle step by step, two containers on one
# overlay base, and a client fetching a page from a published web container
# over husk's bridge network (traffic stays on the bridge and loopback).
set -eu
cd "$(dirname "$0")/.."
husk=$(pwd)/husk
demo=$(pwd)/build/demo
root=$demo/state
bundle=$demo/bundle

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
h() { "$husk" --root "$root" "$@"; }

# a previous demo's containers go first, so the demo can run again
for id in $(h list -q 2>/dev/null); do h delete --force "$id" >/dev/null 2>&1 || :; done

step "husk --version"
"$husk" --version

step "building a busybox bundle in $bundle (from Debian's busybox-static)"
rm -rf "$bundle" "$demo/broken"
mkdir -p "$demo"
sh contrib/mkbundle.sh "$bundle" "$husk" >/dev/null
echo "rootfs: $(ls "$bundle/rootfs/bin" | wc -l) busybox applets"
# husk spec gives the container a terminal; the demo prints through pipes,
# and the root stays writable long enough to drop a script in
jq '.process.terminal = false | .hostname = "husk-demo"' "$bundle/config.json" >"$demo/c.json"
mv "$demo/c.json" "$bundle/config.json"

step "husk spec wrote config.json; the essentials:"
jq -c '{ociVersion, root: .root, namespaces: [.linux.namespaces[].type],
        capabilities: .process.capabilities.bounding}' "$bundle/config.json"

step "husk validate"
"$husk" validate --bundle "$bundle"

step "a broken config is refused, naming the field"
mkdir -p "$demo/broken"
jq '.linux.namespaces += [{"type": "pid"}]' "$bundle/config.json" >"$demo/broken/config.json"
"$husk" validate --bundle "$demo/broken" || true

step "husk run: a container that looks at itself"
cat >"$bundle/rootfs/demo.sh" <<'EOF'
echo "hostname:   $(hostname)"
echo "my pid:     $$"
echo "processes:"
ps -o pid,user,comm | sed 's/^/  /'
echo "network:    $(ls /sys/class/net | tr '\n' ' ')(no host interfaces)"
echo "user:       $(id)"
echo "caps:       $(grep CapEff /proc/self/status)"
echo "root:       $(touch /x 2>&1 || :)"
exit 7
EOF
jq '.process.args = ["sh", "/demo.sh"]' "$bundle/config.json" >"$demo/c.json"
mv "$demo/c.json" "$bundle/config.json"
status=0
h run --bundle "$bundle" demo1 || status=$?
echo "husk run exited with the container's status: $status"

step "the lifecycle: create, start, exec, kill, delete"
jq '.process.args = ["sleep", "600"]' "$bundle/config.json" >"$demo/c.json"
mv "$demo/c.json" "$bundle/config.json"
h create --bundle "$bundle" demo2
echo "after create: $(h state demo2 | jq -r .status)"
h start demo2
echo "after start:  $(h state demo2 | jq -r .status)"
h list
echo "exec inside:  $(h exec demo2 sh -c 'echo "pid $$ next to $(cat /proc/1/comm) (pid 1)"')"
h kill demo2 KILL
sleep 0.2
echo "after kill:   $(h state demo2 | jq -r .status)"
h delete demo2
echo "after delete: $(h state demo2 2>&1 || :)"

step "two containers on one read-only base (the husk.rootfs.overlay annotation)"
jq '.root.readonly = false | .annotations["husk.rootfs.overlay"] = "true"
    | .process.args = ["sleep", "600"]' "$bundle/config.json" >"$demo/c.json"
mv "$demo/c.json" "$bundle/config.json"
h run -d --bundle "$bundle" left
h run -d --bundle "$bundle" right
h exec left sh -c 'echo "written by left" >/note; rm /bin/vi'
echo "left sees:   $(h exec left cat /note), vi: $(h exec left sh -c 'ls /bin/vi 2>&1 || :')"
echo "right sees:  $(h exec right sh -c 'cat /note 2>&1 || :'), vi: $(h exec right ls /bin/vi)"
echo "the base:    $(ls "$bundle/rootfs/note" 2>&1 || :)"
h delete --force left
h delete --force right
echo "after delete, nothing is left in $root: $(ls -A "$root" | wc -l) entries"

step "bridge networking (the husk.net annotation): a web server and a client"
# busybox httpd serves a page from the web container; its port 80 is
# published on the host's port 8080.  (Debian's static busybox wget crashes,
# so the client speaks HTTP through nc.)
mkdir -p "$bundle/rootfs/www"
echo "hello from the web container" >"$bundle/rootfs/www/index.html"
get() { printf "printf 'GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 3 %s %s | sed '1,/^\\\\r\$/d'" "$1" "$2"; }
jq 'del(.annotations["husk.rootfs.overlay"]) | .annotations["husk.net"] = "bridge"
    | .annotations["husk.net.ports"] = "8080:80" | .hostname = "web"
    | .process.args = ["httpd", "-f", "-p", "80", "-h", "/www"]' "$bundle/config.json" >"$demo/c.json"
mv "$demo/c.json" "$bundle/config.json"
h run -d --bundle "$bundle" web
jq '.annotations |= del(.["husk.net.ports"]) | .hostname = "client"
    | .process.args = ["sleep", "600"]' "$bundle/config.json" >"$demo/c.json"
mv "$demo/c.json" "$bundle/config.json"
h run -d --bundle "$bundle" client
web=$(h state web | jq -r '.annotations["husk.net.address"]')
echo "web's address (husk state):  $web"
echo "client's address:            $(h state client | jq -r '.annotations["husk.net.address"]')"
echo "client's eth0 and route:     $(h exec client ip -o -4 addr show eth0 | awk '{print $4}'), $(h exec client ip route | grep default)"
echo "the bridge on the host:      $(ip -br addr show husk0 | tr -s ' ')"
echo "nftables table husk-husk0:"
nft list table ip husk-husk0 | sed 's/^/  /'
i=0
until h exec client sh -c "$(get "$web" 80)" | grep -q hello || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "client fetches http://$web/:       $(h exec client sh -c "$(get "$web" 80)")"
echo "client fetches the published port: $(h exec client sh -c "$(get 10.99.0.1 8080)")"
echo "the host fetches 127.0.0.1:8080:   $(busybox sh -c "$(get 127.0.0.1 8080)")"
h delete --force web
h delete --force client
echo "after delete: bridge $(ip link show husk0 >/dev/null 2>&1 && echo present || echo gone), table $(nft list table ip husk-husk0 >/dev/null 2>&1 && echo present || echo gone)"
