#!/usr/bin/env bash
# The seed's drill script (scripts/test_migration_rollback.sh in 数据库迁移回滚指南), done by hand with the same
# commands — alembic, pg_dump, psql — against a scratch database, timed. This is the baseline for the budget
# "the drill through the bot, approval to summary: ≤ 1.1× the same commands by hand" (DESIGN.md, Budgets).
#
#   bench/drill-by-hand.sh            # 3 runs; prints each run's wall time and the median
#   RUNS=5 PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres bench/drill-by-hand.sh
#
# Needs alembic (Debian: apt-get install alembic python3-psycopg2), pg_dump and psql on PATH, and a Postgres
# role that may create databases. Each run gets a fresh database, dropped at the end; the time covers the
# drill's commands only, not creating the database.
set -euo pipefail

ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
RUNS="${RUNS:-3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALEMBIC_DIR="$HERE/examples/lark-service"
WORK="$(mktemp -d)"
DB=""

cleanup() {
  if [ -n "$DB" ]; then psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The drill, step for step as the seed writes it (its psql -h localhost -U lark -d lark_service is "$DATABASE_URL").
drill() {
  echo "=== 数据库迁移回滚测试 ==="
  echo "开始时间: $(date)"
  echo "1. 记录初始状态"
  alembic current > "$WORK/migration_before.txt"
  pg_dump "$DATABASE_URL" > "$WORK/backup_test.sql"
  echo "2. 执行数据库升级"
  alembic upgrade head
  alembic current
  echo "3. 插入测试数据"
  psql "$DATABASE_URL" -c "
INSERT INTO tokens (app_id, token_type, token_value, expires_at)
VALUES ('test_app', 'test_token', 'test_value', now() + interval '1 hour');
"
  echo "4. 验证测试数据"
  TEST_COUNT=$(psql "$DATABASE_URL" -t -c "SELECT COUNT(*) FROM tokens WHERE app_id='test_app';")
  echo "测试数据条数: $TEST_COUNT"
  echo "5. 执行数据库回滚"
  alembic downgrade -1
  alembic current
  echo "6. 验证表已删除"
  TABLE_EXISTS=$(psql "$DATABASE_URL" -t -c "
SELECT EXISTS (
   SELECT FROM information_schema.tables
   WHERE  table_schema = 'public'
   AND    table_name   = 'tokens'
);")
  echo "tokens表存在: $TABLE_EXISTS"
  echo "7. 重新升级到最新版本"
  alembic upgrade head
  alembic current
  echo "8. 验证数据状态"
  FINAL_COUNT=$(psql "$DATABASE_URL" -t -c "SELECT COUNT(*) FROM tokens;" || echo "0")
  echo "最终数据条数: $FINAL_COUNT"
  echo "=== 测试完成 ==="
  echo "结束时间: $(date)"
}

times=()
for run in $(seq 1 "$RUNS"); do
  DB="drill_by_hand_$$_${run}_$RANDOM"
  psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
  export DATABASE_URL="${ADMIN_URL%/*}/$DB"
  cd "$ALEMBIC_DIR"
  start=$(now_ms)
  drill > "$WORK/drill.log" 2>&1
  elapsed=$(( $(now_ms) - start ))
  cd "$HERE"
  grep -q "tokens表存在:  f" "$WORK/drill.log" || { cat "$WORK/drill.log"; echo "drill went wrong" >&2; exit 1; }
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  DB=""
  times+=("$elapsed")
  printf 'run %d: %d ms\n' "$run" "$elapsed"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
printf 'drill by hand (%d runs): median %d ms\n' "$RUNS" "$median"
