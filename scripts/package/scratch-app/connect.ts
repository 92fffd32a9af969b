// An application as a user writes it with the installed package: a pool that reads its login from Secrets Manager
// (AWSCURRENT, with the TLS settings the secret holds) and follows it through rotations. check-package.ts runs it
// against a real PostgreSQL, the secret served by the local Secrets Manager (AWS_ENDPOINT_URL_SECRETS_MANAGER).
import { createRotatingPool } from 'pg-rotator/pg';

const secretId = process.env.SECRET_ID;
if (secretId === undefined) throw new Error('SECRET_ID: the secret to connect with');

const pool = createRotatingPool({ secretId });
try {
  const { rows } = await pool.query<{ login: string; tls: boolean }>('SELECT current_user AS login, ssl AS tls FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  console.log(JSON.stringify(rows[0]));
} finally {
  await pool.end();
}
