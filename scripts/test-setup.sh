#!/usr/bin/env bash
# What the test suite needs beyond Swift and the models, installed only when missing (run by
# scripts/test.sh, so README's test command works on a fresh Debian machine):
# - Debian's Chromium, driven by Playwright (its own browser download is not used), and
#   prometheus_client: the browser and /metrics tests (Tests/EndToEndTests);
# - the real OpenAI / Ollama Python clients, pinned in scripts/tests/requirements.txt, in
#   .build/venv-clients: the client compatibility tests, and kubernetes-validate for the
#   manifests in deploy/kubernetes;
# - Debian's nginx: the scale-out test (Tests/EndToEndTests/ScaleOutTests.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}
dpkg -s chromium >/dev/null 2>&1 || apt_install chromium
dpkg -s python3-venv >/dev/null 2>&1 || apt_install python3-venv
dpkg -s nginx >/dev/null 2>&1 || apt_install nginx  # the scale-out test's load balancer (deploy/local-cluster.sh)
python3 -c "import playwright, prometheus_client" 2>/dev/null || python3 -m pip install -q playwright prometheus_client
[ -x .build/venv-clients/bin/python ] || python3 -m venv .build/venv-clients
.build/venv-clients/bin/pip install -q -r scripts/tests/requirements.txt
