#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

configuration=${CONFIGURATION:-Release}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build K8sInfraOffload.sln -c "$configuration" --nologo -v quiet -clp:ErrorsOnly
build=$?
if [ "$build" -ne 0 ]; then
    echo "tests: 0 passed, 0 failed (the build failed)"
    exit "$build"
fi

# Process tests run the executables an operator installs, as make publish writes them: inframanager,
# infraagent and felix-api-proxy, all Native AOT.
publish() {
    local project=$1 name=$2
    if ! dotnet publish "$project" -c "$configuration" --use-current-runtime -o "out/$name" --nologo -v quiet -clp:ErrorsOnly; then
        echo "tests: 0 passed, 0 failed (publishing $name failed)"
        exit 1
    fi
}
publish InfraManager/InfraManager.csproj inframanager
publish InfraAgent/InfraAgent.csproj infraagent
publish FelixApiProxy/FelixApiProxy.csproj felix-api-proxy

dotnet test K8sInfraOffload.sln -c "$configuration" --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per test project.
read -r passed failed skipped projects < <(grep -E '^(Passed|Failed)! +- Failed:' "$log" | tr -d ',' |
    awk '{ for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } n++ }
         END { printf "%d %d %d %d\n", p, f, s, n }')
expected=$(grep -c '^tests/.*\.Tests\.csproj' <(dotnet sln K8sInfraOffload.sln list 2>/dev/null))
if [ "$projects" -lt "$expected" ] && [ "$status" -eq 0 ]; then
    echo "tests: only $projects of $expected test projects reported" >&2
    status=1
fi
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
    status=1
fi
# The failed tests again, each with the head of its message, so the end of the output names them.
if [ "$failed" -gt 0 ]; then
    echo
    echo "== failed tests"
    awk '/^  Failed [^ ]+ \[/ { print; shown = 0; inmsg = 0; next }
         /^  Error Message:/ { inmsg = 1; next }
         /^  Stack Trace:/ { inmsg = 0; next }
         inmsg && shown < 6 { print "    " substr($0, 1, 300); shown++ }' "$log"
fi
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
