#!/bin/sh
# Writes the compose stack's secrets into DIR (default: ./secrets), each only when it is
# missing, so running it again (`make up` does, through `make secrets`) changes nothing:
#
#   key_encryption_secret   app      KEY_ENCRYPTION_SECRET_FILE (the signing keys, sealed in MongoDB)
#   redis_password          app      REDIS_PASSWORD_FILE (the Redis user `hexauth`)
#   redis_users.acl         redis    --aclfile: rendered from deploy/redis/users.acl.template
#                                    with the SHA-256 of redis_password; rendered again on
#                                    every run, so a changed template or password takes effect
#   mongo_root_password     mongo    MONGO_INITDB_ROOT_PASSWORD_FILE (first start only)
#   mongo_hexauth_password  app, mongo  MONGO_PASSWORD_FILE; the init script's user `hexauth`
#
# DIR is made 0700: no other user of this machine can reach the files. The files are 0644
# because Compose bind-mounts file secrets with their host owner and mode (the uid, gid and
# mode of a service's secret are not applied to file secrets), and the containers read them as
# other users than the one running this: node (uid 1000), redis (999) and mongodb (999).
# Inside each container only the secrets that service names are mounted.
set -eu

dir=${1:-secrets}
template=$(dirname "$0")/redis/users.acl.template
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

# 32 random bytes, base64url without padding: no character that needs quoting in a URL,
# an ACL file or a shell.
random() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 32
  else
    head -c 32 /dev/urandom | base64
  fi | tr -d '\n=' | tr '+/' '-_'
}

# The SHA-256 (hex) of standard input.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | cut -d ' ' -f 1
  else
    openssl dgst -sha256 -r | cut -d ' ' -f 1
  fi
}

# write NAME: standard input becomes DIR/NAME, atomically, mode 0644.
write() {
  cat >"$dir/.$1.tmp"
  chmod 644 "$dir/.$1.tmp"
  mv -f "$dir/.$1.tmp" "$dir/$1"
}

# generate NAME: a new random value in DIR/NAME unless it exists.
generate() {
  if [ -s "$dir/$1" ]; then
    echo "kept $dir/$1"
  else
    random | write "$1"
    echo "wrote $dir/$1"
  fi
}

generate key_encryption_secret
generate redis_password
generate mongo_root_password
generate mongo_hexauth_password

# The password file holds one line; the hash is of that line without its newline.
hash=$(head -n 1 "$dir/redis_password" | tr -d '\n' | sha256)
grep -v -e '^#' -e '^[[:space:]]*$' "$template" | sed "s/@REDIS_PASSWORD_SHA256@/$hash/" | write redis_users.acl
echo "wrote $dir/redis_users.acl"
