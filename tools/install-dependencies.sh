#!/usr/bin/env bash
# Installs what lim needs to build and test on Debian (run as root).
# .ci/run calls this too, so CI and a new user's machine get the same set.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  ca-certificates g++ cmake ninja-build pkg-config \
  libboost-dev libboost-graph-dev nlohmann-json3-dev libfmt-dev libcli11-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libz3-dev \
  libssl-dev libmosquitto-dev mosquitto \
  iproute2 netcat-openbsd python3-scapy python3-jsonschema spin \
  >/dev/null
# iproute2, netcat and scapy: the TCP server's tests make network namespaces,
# talk to lim with nc and read its captures (docs/tcp.md). jsonschema: a test
# validates lim's JSON and SARIF reports against their schemas. spin: a test
# runs SPIN on lim's Promela export (cc, which builds SPIN's pan, is g++'s gcc).
# clang-tidy: CI checks the generated typestate API code with bugprone-use-after-move.
apt-get install -y -qq --no-install-recommends clang-tidy >/dev/null
# clang and its runtime libraries (libFuzzer, ASan, UBSan): CI fuzzes the
# parsers and the frame decoder for a bounded time (docs/ci.md, "Fuzzing").
apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
