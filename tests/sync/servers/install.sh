#!/usr/bin/env bash
# Install the real sync servers the tests run against (idempotent; quick when the packages are cached).
#
#   coldsweat 0.10.2 (a Fever API server) into .venv/servers/coldsweat  (no root needed)
#   tt-rss 21 from Debian with PostgreSQL 15                             (root: apt-get, /etc/tt-rss)
#
# What worked here, measured (see tests/sync/README.md): the Debian package creates its database without
# prompts; its config reads SELF_URL_PATH and _HTTP_PROXY from the environment after this script's edit,
# so the tests choose their ports at run time; the API is enabled for admin with one SQL insert.
# Usage: bash tests/sync/servers/install.sh [coldsweat|ttrss|all]
set -euo pipefail
cd "$(dirname "$0")/../../.."
what="${1:-all}"

install_coldsweat() {
    local venv=.venv/servers/coldsweat
    if [ -x "$venv/bin/coldsweat" ]; then return 0; fi
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet coldsweat==0.10.2
}

install_ttrss() {
    if [ "$(id -u)" != 0 ]; then
        echo "install.sh: tt-rss needs root (apt-get, /etc/tt-rss); skipped" >&2
        return 0
    fi
    pg_ctlcluster 15 main start 2>/dev/null || true  # already running is fine
    if ! dpkg-query -W -f='${Status}' tt-rss 2>/dev/null | grep -q "install ok installed"; then
        # apt-get update only when the package is not in the cached lists (a fresh machine).
        apt-cache show tt-rss >/dev/null 2>&1 || apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            tt-rss php-pgsql dbconfig-pgsql php-cli php-curl php-intl php-mbstring php-xml >/dev/null
    fi
    local config=/etc/tt-rss/config.php
    # The tests pick their ports at run time: let the environment set the URL and the feed proxy.
    if ! grep -q "TTRSS_SELF_URL_PATH" "$config"; then
        sed -i "s|^\(\s*\)define('SELF_URL_PATH', .*|\1define('SELF_URL_PATH', getenv('TTRSS_SELF_URL_PATH') ?: 'http://127.0.0.1/');|" "$config"
    fi
    if ! grep -q "TTRSS_HTTP_PROXY" "$config"; then
        sed -i "s|^\(\s*\)define('CONFIG_VERSION'|\1if (getenv('TTRSS_HTTP_PROXY')) define('_HTTP_PROXY', getenv('TTRSS_HTTP_PROXY'));\n\1define('CONFIG_VERSION'|" "$config"
    fi
    runuser -u postgres -- psql -q -d ttrss -v ON_ERROR_STOP=1 -c "
        insert into ttrss_user_prefs (owner_uid, pref_name, profile, value)
        select 1, 'ENABLE_API_ACCESS', NULL, 'true'
        where not exists (select 1 from ttrss_user_prefs
                          where owner_uid = 1 and pref_name = 'ENABLE_API_ACCESS' and profile is null);
        update ttrss_user_prefs set value = 'true'
        where owner_uid = 1 and pref_name = 'ENABLE_API_ACCESS' and profile is null;" >/dev/null
}

case "$what" in
    coldsweat) install_coldsweat ;;
    ttrss) install_ttrss ;;
    all) install_coldsweat; install_ttrss ;;
    *) echo "usage: $0 [coldsweat|ttrss|all]" >&2; exit 1 ;;
esac
