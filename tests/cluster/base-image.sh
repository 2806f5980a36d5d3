#!/usr/bin/env bash
# Builds the base image the project's images are built on when no registry can be reached: a Java 17
# runtime made with jlink from the machine's JDK, the shared libraries it links against (found with ldd),
# a passwd entry for the non-root user 10001, and nothing else (no shell, no package manager).
#
#   ~/.cache/realmgate/images/realmgate-jre-17.tar    docker-archive, image localhost/realmgate/jre:17
#
# Jib reads it as `tar://...` (the Maven property realmgate.image.base); a release build points that
# property at a published runtime instead. Rebuilt only when the JDK changed; prints the tarball's path.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

out=$CACHE/images/realmgate-jre-17.tar
java_home=${REALMGATE_BASE_JDK:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
jdk_version=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
case $jdk_version in 17*) ;; *) die "base-image: needs a Java 17 JDK with jmods (found ${jdk_version:-none} in $java_home)" ;; esac
[ -d "$java_home/jmods" ] || die "base-image: $java_home has no jmods (Debian: openjdk-17-jdk-headless)"

stamp="jdk=$jdk_version script=$(sha256sum "$0" | cut -c1-16)"
if [ -s "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then echo "$out"; exit 0; fi

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$CACHE/.base-image-XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
log=$work/log

# Java SE plus the JDK modules the programs use at run time: Netty's Unsafe access (jdk.unsupported),
# EC keys for TLS (jdk.crypto.ec), the operator's HTTP endpoints and JFR for diagnostics.
modules=java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.naming.dns,jdk.httpserver,jdk.jfr,jdk.management,jdk.management.agent,jdk.net,jdk.zipfs,jdk.localedata
# --generate-cds-archive: the runtime's default class-data sharing archive (lib/server/classes.jsa), which a
# JDK ships and a jlink-ed runtime lacks unless asked; without it every start parses and verifies the JDK's
# classes anew (issue 18: the proxy's CPU before its first tunnel, docs/decisions.md).
"$java_home/bin/jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 --generate-cds-archive \
  --output "$rootfs/opt/java" >"$log" 2>&1 \
  || { cat "$log" >&2; die "base-image: jlink failed"; }
# Desktop graphics libraries would pull in X11; the programs are headless.
rm -f "$rootfs"/opt/java/lib/libawt_xawt.so "$rootfs"/opt/java/lib/libsplashscreen.so "$rootfs"/opt/java/lib/libjawt.so
# Debian's JDK links its trust store to /etc/ssl/certs/java/cacerts; the copy is a plain file.
if [ -L "$rootfs/opt/java/lib/security/cacerts" ]; then
  cp --remove-destination "$(readlink -f "$rootfs/opt/java/lib/security/cacerts")" "$rootfs/opt/java/lib/security/cacerts" 2>/dev/null \
    || rm -f "$rootfs/opt/java/lib/security/cacerts"
fi

# Every shared library the runtime needs, from the machine's own, at the same paths.
libs=$(find "$rootfs/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
  | xargs -0 -r ldd 2>/dev/null | awk '/=> \//{print $3} /^\t\/.*\(0x/{print $1}' | sort -u)
# Also what is loaded at run time rather than linked: Netty's native epoll transport (extracted to /tmp and
# dlopen-ed) needs libdl, librt and libpthread; without them Netty falls back to NIO.
arch_lib=/lib/$(uname -m)-linux-gnu
for extra in libdl.so.2 librt.so.1 libpthread.so.0 libm.so.6 libresolv.so.2 libgcc_s.so.1; do
  libs+=" $arch_lib/$extra"
done
for lib in $libs /lib64/ld-linux-x86-64.so.2; do
  [ -e "$lib" ] || continue
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
# /lib and /lib64 are symlinks into /usr on Debian; the dynamic loader is looked up through /lib64.
for link in lib lib64; do
  if [ -L "/$link" ] && [ ! -e "$rootfs/$link" ]; then ln -s "$(readlink "/$link")" "$rootfs/$link"; fi
done
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/app"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nrealmgate:x:10001:10001:realmgate:/tmp:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nrealmgate:x:10001:\n' >"$rootfs/etc/group"

# The runtime must start with the image's own loader and libraries, nothing from the machine's.
"$rootfs/lib64/ld-linux-x86-64.so.2" --library-path "$rootfs/opt/java/lib:$rootfs/opt/java/lib/server:$rootfs$arch_lib" \
  "$rootfs/opt/java/bin/java" -version >"$log" 2>&1 \
  || { cat "$log" >&2; die "base-image: the jlink-ed java does not start with the image's libraries"; }
# -Xshare:on refuses to start without a usable archive (the default, -Xshare:auto, would quietly go on).
[ -s "$rootfs/opt/java/lib/server/classes.jsa" ] \
  && "$rootfs/lib64/ld-linux-x86-64.so.2" --library-path "$rootfs/opt/java/lib:$rootfs/opt/java/lib/server:$rootfs$arch_lib" \
    "$rootfs/opt/java/bin/java" -Xshare:on -version >"$log" 2>&1 \
  || { cat "$log" >&2; die "base-image: the jlink-ed java has no usable class-data sharing archive"; }

layout=$work/oci
{
  umoci init --layout "$layout"
  umoci new --image "$layout:17"
  umoci insert --image "$layout:17" "$rootfs" /
  umoci config --image "$layout:17" --os linux --architecture amd64 \
    --config.env PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin --config.env JAVA_HOME=/opt/java \
    --config.env LANG=C.UTF-8 --config.user 10001:10001 --config.workingdir /app \
    --config.cmd /opt/java/bin/java --config.cmd -version
  skopeo copy --quiet "oci:$layout:17" "docker-archive:$work/image.tar:localhost/realmgate/jre:17"
} >"$log" 2>&1 || { cat "$log" >&2; die "base-image: packing the image failed"; }
mv "$work/image.tar" "$out"
echo "$stamp" >"$out.stamp"
say "base image $(du -h "$out" | cut -f1) at $out ($jdk_version)"
echo "$out"
