# Shared by scripts/test, scripts/demo and bench/: install what the project
# needs, then build and install the extension.  Source it; do not run it.

# Debian packages the build, the sandbox and every test suite need.
SEMOSS_APT_PACKAGES=(
    make gcc clang libclang-rt-14-dev
    postgresql-15 postgresql-client-15 postgresql-server-dev-15
    postgresql-plpython3-15
    libcurl4-openssl-dev libjson-c-dev
    python3-psycopg2 curl openssl ca-certificates
)

# Install the missing packages (apt-get only runs when something is missing).
install_dependencies() {
    local missing=()
    local pkg
    for pkg in "${SEMOSS_APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]} (run as root, or install them first)" >&2
        return 1
    fi
    echo "installing: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

# Build the extension with -Werror and install it into PostgreSQL 15.
build_and_install() {
    make -s -C "$1" >/dev/null
    if [ "$(id -u)" -eq 0 ]; then
        make -s -C "$1" install >/dev/null
    else
        sudo make -s -C "$1" install >/dev/null
    fi
}
