// Run once by the mongo image's entrypoint (mongosh, from /docker-entrypoint-initdb.d/) on
// the first start, when the data volume is empty; MONGO_INITDB_ROOT_* has created the root
// user just before. Creates the user hexauth connects as: readWrite on the hexauth database
// and nothing else (no other database, no user or role administration, no server commands).
const fs = require('fs')

const passwordFile = '/run/secrets/mongo_hexauth_password'
// One trailing newline is not part of the password (as hexauth reads MONGO_PASSWORD_FILE).
const password = fs.readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '')
if (password.trim() === '') throw new Error(`Cannot create the hexauth user: ${passwordFile} is empty`)

db.getSiblingDB('hexauth').createUser({
  user: 'hexauth',
  pwd: password,
  roles: [{ role: 'readWrite', db: 'hexauth' }],
})
print('Created user hexauth with readWrite on database hexauth')
