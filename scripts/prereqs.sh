#!/usr/bin/env bash
# Everything this project needs from the machine, checked in one place (npm run demo, npm test, .ci/run):
#   Node >= 20.19; alembic, with psycopg2 importable by alembic's Python; pg_dump, pg_restore and psql whose major
#   version is at least the server's; PostgreSQL and Redis reachable; Chromium for the browser test (test mode).
# What is missing is installed when it can be (root with apt-get, unless PREREQS_INSTALL=0); otherwise this prints
# the one command that installs it and exits 1.
#
# usage: scripts/prereqs.sh [demo|test|packages]
#   demo      (default) tools and services
#   test      the same plus Chromium (npm test's pretest)
#   packages  tools (with Chromium) but no services (.ci/run, before it starts Postgres and Redis)
# Postgres: PREREQS_PG_URL, else DEMO_PG_URL, else TEST_PG_ADMIN_URL, else postgres://postgres@127.0.0.1:5432/postgres
# Redis:    PREREQS_REDIS_URL, else DEMO_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive

mode="${1:-demo}"
case "$mode" in demo | test | packages) ;; *)
  echo "usage: scripts/prereqs.sh [demo|test|packages]" >&2
  exit 2
  ;;
esac
pg_url="${PREREQS_PG_URL:-${DEMO_PG_URL:-${TEST_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}}}"
redis_url="${PREREQS_REDIS_URL:-${DEMO_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379}}}"

problems=()   # one line each, for a person
packages=()   # Debian packages that would fix them
manual=()     # fixes no package can make

need_pkg() { [[ " ${packages[*]} " == *" $1 "* ]] || packages+=("$1"); }

# --- the tools -------------------------------------------------------------------------------------------------
check_node() {
  if ! command -v node >/dev/null 2>&1; then
    problems+=("Node.js is not installed (this project needs 20.19 or later)")
    manual+=("install Node.js 22 LTS: https://nodejs.org/en/download")
    return
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    problems+=("Node.js $(node --version) is too old: this project needs 20.19 or later")
    manual+=("install Node.js 22 LTS: https://nodejs.org/en/download")
  fi
}

# The interpreter alembic runs with (its shebang), which is where psycopg2 must be importable.
alembic_python() {
  local line
  line="$(head -n 1 "$(command -v alembic)" 2>/dev/null)"
  case "$line" in
    '#!/usr/bin/env '*) command -v "${line#'#!/usr/bin/env '}" || echo "${line#'#!/usr/bin/env '}" ;;
    '#!'*) echo "${line#'#!'}" ;;
    *) echo python3 ;;
  esac
}

check_alembic() {
  if ! command -v alembic >/dev/null 2>&1 || ! alembic --version >/dev/null 2>&1; then
    problems+=("alembic is not installed or does not run (the runbooks and the demo call it)")
    need_pkg alembic
    # Debian's alembic does not pull in a Postgres driver: install it in the same pass.
    python3 -c 'import psycopg2' >/dev/null 2>&1 || need_pkg python3-psycopg2
    return
  fi
  local py
  py="$(alembic_python)"
  if ! $py -c 'import alembic, psycopg2' >/dev/null 2>&1; then
    problems+=("psycopg2 is not importable by alembic's Python ($py): alembic cannot reach Postgres")
    need_pkg python3-psycopg2
  fi
}

check_pg_tools() {
  local tool
  for tool in psql pg_dump pg_restore; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      problems+=("$tool is not installed (the runbooks back up and restore with pg_dump, pg_restore and psql)")
      need_pkg postgresql-client
    fi
  done
}

check_chromium() {
  [ "$mode" != demo ] || return 0
  if [ ! -x /usr/bin/chromium ]; then
    problems+=("/usr/bin/chromium is missing (the web chat's browser test drives it)")
    need_pkg chromium
  fi
}

check_tools() {
  problems=()
  packages=()
  manual=()
  check_node
  check_alembic
  check_pg_tools
  check_chromium
}

# Installed as a package but still not found: the PATH lacks its folder; apt-get cannot help.
explain_installed() {
  local pkg bin left=()
  for pkg in "${packages[@]}"; do
    if dpkg -s "$pkg" >/dev/null 2>&1; then
      bin="$(dpkg -L "$pkg" 2>/dev/null | grep -E '/bin/[^/]+$' | head -n 1)"
      if [ "$pkg" = python3-psycopg2 ]; then
        manual+=("python3-psycopg2 is installed for /usr/bin/python3, but alembic runs with $(alembic_python): use Debian's alembic (apt-get install -y alembic) or install psycopg2 for that Python")
      elif [ -n "$bin" ]; then
        manual+=("the package $pkg is installed ($bin) but $(dirname "$bin") is not on your PATH: add it (export PATH=\"$(dirname "$bin"):\$PATH\")")
      else
        manual+=("the package $pkg is installed but does not work: reinstall it (apt-get install --reinstall -y $pkg)")
      fi
    else
      left+=("$pkg")
    fi
  done
  packages=("${left[@]}")
}

check_tools
if [ "${#packages[@]}" -gt 0 ] && command -v dpkg >/dev/null 2>&1; then explain_installed; fi
if [ "${#packages[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
  && [ "${PREREQS_INSTALL:-1}" != 0 ]; then
  echo "prereqs: installing ${packages[*]} (apt-get)"
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
    check_tools
    explain_installed
  else
    problems+=("apt-get install ${packages[*]} failed (see above)")
  fi
fi

# Fonts for what the browser shows and screenshots (Chinese cards, emoji): nice to have, never a problem.
if [ "$mode" != demo ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${PREREQS_INSTALL:-1}" != 0 ]; then
  fonts=()
  for font in fonts-wqy-microhei fonts-noto-color-emoji; do
    dpkg -s "$font" >/dev/null 2>&1 || fonts+=("$font")
  done
  if [ "${#fonts[@]}" -gt 0 ]; then
    echo "prereqs: installing ${fonts[*]} (apt-get; for Chinese and emoji in the browser test's screenshots)"
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${fonts[@]}" >/dev/null; } ||
      echo "prereqs: could not install ${fonts[*]}; screenshots will show boxes for Chinese text" >&2
  fi
fi

# --- the services ---------------------------------------------------------------------------------------------
redact_url() { printf '%s' "$1" | sed -E 's#://([^:/@]*):[^@/]*@#://\1:***@#'; }

check_postgres() {
  local server out client major tool
  if command -v psql >/dev/null 2>&1; then
    if ! out="$(PGCONNECT_TIMEOUT=3 psql "$pg_url" -XtAc 'SHOW server_version_num' 2>&1)"; then
      problems+=("PostgreSQL is not reachable at $(redact_url "$pg_url"): ${out//$'\n'/ }")
      manual+=("start PostgreSQL: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql | head -n 1) main start   (or: docker compose up -d postgres; elsewhere: set DEMO_PG_URL)")
      return
    fi
    server=$((out / 10000))
    for tool in psql pg_dump pg_restore; do
      command -v "$tool" >/dev/null 2>&1 || continue
      client="$("$tool" --version | grep -oE '[0-9]+' | head -n 1)"
      if [ "${client:-0}" -lt "$server" ]; then
        problems+=("$tool is version $client, older than the PostgreSQL server ($server): it cannot dump or restore it")
        manual+=("install postgresql-client-$server (https://www.postgresql.org/download/linux/debian/) and put its bin folder first on PATH")
      fi
    done
  fi
}

check_redis() {
  local rest host port reply
  rest="${redis_url#*://}"
  rest="${rest#*@}"
  rest="${rest%%/*}"
  host="${rest%:*}"
  port="${rest##*:}"
  [ "$port" = "$rest" ] && port=6379
  reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'PING\r\n' >&3 && head -c 5 <&3" 2>/dev/null)"
  if [[ "$reply" != [+-]* ]]; then
    problems+=("Redis is not reachable at $host:$port")
    manual+=("start Redis: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\"   (or: docker compose up -d redis; elsewhere: set DEMO_REDIS_URL)")
  fi
}

if [ "$mode" != packages ]; then
  check_postgres
  check_redis
fi

# --- the verdict ----------------------------------------------------------------------------------------------
if [ "${#problems[@]}" -eq 0 ]; then exit 0; fi
{
  echo "This machine is missing what the project needs:"
  printf '  - %s\n' "${problems[@]}"
  echo "Fix it with:"
  if [ "${#packages[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo "
    echo "  ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages[*]}"
  fi
  if [ "${#manual[@]}" -gt 0 ]; then printf '  %s\n' "${manual[@]}"; fi
  echo "then run the command again."
} >&2
exit 1
