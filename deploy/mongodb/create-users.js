// Creates one MongoDB user per schakel service, with readWrite on that service's own
// database and nothing else. Re-running updates the passwords and roles.
//
// Run as a user administrator against the replica set (TLS on), with the passwords in the
// environment, taken from the secret store (never typed on the command line):
//
//   SCHAKEL_MONGODB_PASSWORD_INTAKE=... SCHAKEL_MONGODB_PASSWORD_TRIAGE=... (one per service) \
//   mongosh "mongodb://mongo-1.example.internal:27017/admin?replicaSet=rs0&tls=true" \
//       --tlsCAFile mongodb-ca.pem --username admin --file deploy/mongodb/create-users.js
//
// Each user is defined in its own database, so the service's URI uses
// authSource=schakel_<service> (see deploy/env.example).

// The gateway has no database.
const SERVICES = ["intake", "triage", "matching", "followup", "feedback", "audit"];

const missing = SERVICES
  .map((service) => `SCHAKEL_MONGODB_PASSWORD_${service.toUpperCase()}`)
  .filter((name) => !process.env[name]);
if (missing.length > 0) {
  print(`missing password variable(s): ${missing.join(", ")}; nothing changed`);
  quit(2);
}

for (const service of SERVICES) {
  const dbName = `schakel_${service}`;
  const user = `schakel-${service}`;
  const pwd = process.env[`SCHAKEL_MONGODB_PASSWORD_${service.toUpperCase()}`];
  // readWrite covers what a service does in its database: CRUD, indexes, collections,
  // multi-document transactions and change streams. No access to any other database.
  const roles = [{ role: "readWrite", db: dbName }];
  const target = db.getSiblingDB(dbName);

  if (target.getUser(user)) {
    target.updateUser(user, { pwd, roles });
    print(`updated ${user} (readWrite on ${dbName})`);
  } else {
    target.createUser({ user, pwd, roles, mechanisms: ["SCRAM-SHA-256"] });
    print(`created ${user} (readWrite on ${dbName})`);
  }
}
