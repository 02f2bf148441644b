#!/usr/bin/env bash
# Contacts at scale. Builds in Release, starts the app host (one API replica, no dashboard) on a throwaway data folder,
# then with a million contacts:
#  1. makes them inside PostgreSQL (bench/contacts_seed.sql) and exports them as CSV and vCard through the API;
#  2. empties the table and imports the CSV back through POST /api/contacts/import (binary COPY), printing the rate
#     and the API process's peak memory before and after, to show it does not grow with the file, how long the API's
#     indexer then takes to make them all searchable, and where the time goes inside PostgreSQL (search text,
#     trigrams, storing rows, building the GIN indexes, the words typos are looked up in);
#  3. times searches and list pages through the API, one at a time (p50/p95/p99 of curl's total time), a typo's
#     three queries at the database (its closest known words, a page, the count), and prints PostgreSQL's plans for
#     searches, a typo and a deep list page.
# It judges nothing; it fails only when it cannot measure.
#
#   bench/contacts.sh
#   BENCH_CONTACTS=200000 BENCH_REPEAT=5 bench/contacts.sh
set -euo pipefail

contacts=${BENCH_CONTACTS:-1000000}
repeat=${BENCH_REPEAT:-10}

# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[[ $contacts =~ ^[0-9]+$ ]] && (( contacts >= 1000 )) || { echo "BENCH_CONTACTS must be a number of at least 1000" >&2; exit 2; }

make_work_folder
install_missing_tools
say "Building (Release)..."
build_release
launch_apphost --Replicas:api=1 --AppHost:DisableDashboard=true
wait_started
find_postgres
api_pid=$(api_pids | head -n 1)
[[ -n $api_pid ]] || fail "no API process"
api="http://127.0.0.1:${api_url##*:}"

# percentiles FILE: p50, p95 and p99 of the seconds in FILE, one a line, in milliseconds.
percentiles() {
    sort -g "$1" | awk '{ v[NR] = $1 * 1000 } END {
        printf "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d requests)", v[int(NR * 0.50 + 0.5)], v[int(NR * 0.95 + 0.5)], v[int(NR * 0.99 + 0.5)], NR }'
}

# timed_gets NAME URL...: each URL $repeat times, one request at a time; prints their percentiles.
timed_gets() {
    local name=$1 times=$tmp/times-$1 url i
    shift
    : >"$times"
    for (( i = 0; i < repeat; i++ )); do
        for url in "$@"; do
            curl -sf -o /dev/null -w '%{time_total}\n' -H "$api_key_header" "$api$url" >>"$times" || fail "GET $url failed"
        done
    done
    say "    $name: $(percentiles "$times")"
}

q() { printf '/api/contacts?limit=50&q=%s' "$(printf '%s' "$1" | jq -sRr @uri)"; }
command -v jq >/dev/null || { apt-get install -y -q jq >"$tmp/apt-jq.log" 2>&1 || fail "could not install jq"; }

say ""
say "== 1. $contacts contacts made in PostgreSQL, then exported through the API"
started=$EPOCHREALTIME
sql -v count="$contacts" -f "$bench_dir/contacts_seed.sql"
say "    made in $(since "$started") s ($(sql -c 'SELECT pg_size_pretty(pg_total_relation_size($$"People"$$))') with its indexes)"
started=$EPOCHREALTIME
curl -sf -H "$api_key_header" -o "$tmp/contacts.csv" "$api/api/contacts/export.csv" || fail "the CSV export failed"
say "    CSV export: $(since "$started") s, $(( $(stat -c %s "$tmp/contacts.csv") / 1048576 )) MiB, $(( $(wc -l <"$tmp/contacts.csv") - 1 )) lines after the header"
started=$EPOCHREALTIME
curl -sf -H "$api_key_header" -o "$tmp/contacts.vcf" "$api/api/contacts/export.vcf" || fail "the vCard export failed"
say "    vCard export: $(since "$started") s, $(( $(stat -c %s "$tmp/contacts.vcf") / 1048576 )) MiB, $(grep -c '^BEGIN:VCARD' "$tmp/contacts.vcf") cards"

say ""
say "== 2. The CSV imported back into an empty table: POST /api/contacts/import?duplicates=create"
sql -c 'SET client_min_messages = warning' -c 'TRUNCATE "People" CASCADE'
hwm_before=$(status_kib "$api_pid" VmHWM)
started=$EPOCHREALTIME
answer=$(curl -sf -H "$api_key_header" -H 'Content-Type: text/csv' --data-binary @"$tmp/contacts.csv" "$api/api/contacts/import?duplicates=create") \
    || fail "the import failed"
seconds=$(since "$started")
imported=$(sql -c 'SELECT count(*) FROM "People"')
say "    $answer in $seconds s: $(awk -v n="$imported" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') contacts/s"
say "    API peak RSS (VmHWM): $(( hwm_before / 1024 )) MiB before, $(( $(status_kib "$api_pid" VmHWM) / 1024 )) MiB after"
# The import's answer came before its contacts' search texts (Api/Data/SearchIndexing.cs): the indexer is done when
# the backlog is empty, and it analyses the texts as it finishes.
until [[ $(sql -c 'SELECT count(*) FROM "SearchBacklog"') == 0 ]]; do sleep 0.5; done
say "    searchable: every contact's search text computed $(since "$started") s after the import began ($(sql -c 'SELECT count(*) FROM "PeopleSearch"') texts)"
sql -c 'ANALYZE "People"'

# Where the import's time goes inside PostgreSQL, each part alone on a temporary copy of the first rows (one core, as
# one import statement runs): the search text the generated column computes, its trigrams, storing the rows with it,
# building each GIN index, and adding the words of the rows to the table typos are looked up in, as an import does
# after its rows. Timed by psql; everything is rolled back.
sample=$(( imported < 200000 ? imported : 200000 ))
cols='"firstName", "lastName", company, title, birthday, notes, favorite, tags, emails, phones, addresses, "createdAt", "updatedAt"'
doc='public.addressbook_search_document("firstName", "lastName", company, title, tags, emails, phones)'
mapfile -t part_ms < <(sql <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
SET max_parallel_workers_per_gather = 0;
SET maintenance_work_mem = '256MB';
BEGIN;
CREATE TEMP TABLE bench_source ON COMMIT DROP AS SELECT $cols FROM "People" ORDER BY id LIMIT $sample;
CREATE TEMP TABLE bench_people (LIKE "People" INCLUDING DEFAULTS) ON COMMIT DROP;
ALTER TABLE bench_people ADD COLUMN search text GENERATED ALWAYS AS ($doc) STORED;
ANALYZE bench_source;
\\timing on
SELECT count($doc) FROM bench_source;
SELECT count(public.show_trgm($doc)) FROM bench_source;
INSERT INTO bench_people ($cols) SELECT $cols FROM bench_source;
CREATE INDEX ON bench_people USING gin (search public.gin_trgm_ops);
CREATE INDEX ON bench_people USING gin (tags);
INSERT INTO "SearchWords" (word)
SELECT DISTINCT word
FROM (SELECT DISTINCT translate(value, '0123456789', '          ') FROM (
        SELECT DISTINCT "firstName" FROM bench_source UNION SELECT DISTINCT "lastName" FROM bench_source UNION SELECT DISTINCT company FROM bench_source
        UNION SELECT DISTINCT title FROM bench_source UNION SELECT DISTINCT unnest(tags) FROM bench_source) AS source (value)) AS letters (value),
    regexp_split_to_table(public.addressbook_fold(letters.value), '[[:space:][:punct:][:digit:]]+') AS word
WHERE length(word) > 1 ORDER BY word ON CONFLICT (word) DO NOTHING;
\\timing off
ROLLBACK;
SQL
)
per_million() { awk -v ms="$1" -v n="$sample" 'BEGIN { printf "%.1f s", ms / 1000 * 1000000 / n }'; }
if (( ${#part_ms[@]} == 6 )); then
    say "    inside PostgreSQL, per million rows (measured on $sample, one core):"
    say "      search text $(per_million "${part_ms[0]}"), its trigrams $(per_million "$(awk -v a="${part_ms[1]}" -v b="${part_ms[0]}" 'BEGIN { print a - b }')")," \
        "rows stored with it $(per_million "${part_ms[2]}"), trigram index built $(per_million "${part_ms[3]}"), tags index built $(per_million "${part_ms[4]}")," \
        "the words typos are looked up in (Api/Data/ContactSearch.cs, AddWordsOfRowsSql) $(per_million "${part_ms[5]}")"
else
    say "    (no breakdown: psql printed ${#part_ms[@]} timings)"
fi

say ""
say "== 3. Searching and listing $imported contacts, one request at a time, $repeat rounds"
# Real values to look for, drawn from the data: part of an email, part of a phone number.
mapfile -t emails < <(sql -c "SELECT split_part(emails -> 0 ->> 'value', '@', 1) FROM \"People\" TABLESAMPLE SYSTEM (0.1) LIMIT 5")
mapfile -t phones < <(sql -c "SELECT right(phones -> 0 ->> 'value', 7) FROM \"People\" TABLESAMPLE SYSTEM (0.1) LIMIT 5")
words=(james zoe jose smith lovelace dijkstra mull acme globex "cafe muller" engineer "ada hopper" "grace turing acme" "knuth director")
word_urls=() email_urls=() typo_urls=()
for w in "${words[@]}"; do word_urls+=("$(q "$w")"); done
for w in "${emails[@]}" "${phones[@]}"; do email_urls+=("$(q "$w")"); done
for w in jonson lovlace hoppper dijkstar; do typo_urls+=("$(q "$w")"); done
timed_gets "search, words the contacts contain (names, companies, titles)" "${word_urls[@]}"
timed_gets "search, part of an email or phone number" "${email_urls[@]}"
timed_gets "search, a typo only (found by similarity)" "${typo_urls[@]}"
timed_gets "search narrowed by a tag or to favourites" "$(q smith)&tag=work" "$(q lovelace)&favorite=true" "$(q acme)&tag=vip" "$(q grace)&favorite=false"
say "    the words typos are looked up in: $(sql -c 'SELECT count(*) FROM "SearchWords"') ($(sql -c 'SELECT pg_size_pretty(pg_total_relation_size($$"SearchWords"$$))') with its index)"
# A typo at the database, as the API asks: the closest known words, then the contacts holding one, a page and the count.
similar_sql() { printf "SELECT word FROM \"SearchWords\" WHERE public.addressbook_fold('%s') OPERATOR(public.<%%) word ORDER BY public.word_similarity(public.addressbook_fold('%s'), word) DESC, public.similarity(public.addressbook_fold('%s'), word) DESC, word LIMIT 10" "$1" "$1" "$1"; }
near_sql() {
    local patterns
    patterns=$(sql -c "SET pg_trgm.word_similarity_threshold = 0.5" -c "SELECT coalesce(string_agg(quote_literal('%' || word || '%'), ','), '') FROM ($(similar_sql "$1")) AS closest")
    printf "\"PeopleSearch\" WHERE (search LIKE public.addressbook_fold('%%%s%%') OR search LIKE ANY (ARRAY[%s]::text[]))" "$1" "$patterns"
}
# One session for every round, as the API's pooled connections are: a new one would plan with a cold catalog cache.
{
    say "SET pg_trgm.word_similarity_threshold = 0.5;"
    say '\timing on'
    for (( i = 0; i < repeat; i++ )); do
        for w in jonson lovlace hoppper dijkstar; do
            where=$(near_sql "$w")
            say "$(similar_sql "$w") \\g /dev/null"
            say "SELECT id FROM $where AND id > 0 ORDER BY id LIMIT 51 \\g /dev/null"
            say "EXPLAIN (FORMAT JSON) SELECT id FROM $where \\g /dev/null"
            say "SELECT count(*) FROM (SELECT 1 FROM $where LIMIT 1001) AS capped \\g /dev/null"
        done
    done
} >"$tmp/typo.sql"
sql <"$tmp/typo.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' \
    | awk -v w="$tmp/typo-words" -v p="$tmp/typo-page" -v e="$tmp/typo-estimate" -v c="$tmp/typo-count" \
        'NR % 4 == 1 { print $1 / 1000 >w } NR % 4 == 2 { print $1 / 1000 >p } NR % 4 == 3 { print $1 / 1000 >e } NR % 4 == 0 { print $1 / 1000 >c }'
say "    at the database, a typo's closest known words: $(percentiles "$tmp/typo-words")"
say "    at the database, a typo's first page: $(percentiles "$tmp/typo-page")"
say "    at the database, a typo's total as the API takes it when the planner expects over 1,000: $(percentiles "$tmp/typo-estimate")"
say "    at the database, a typo's count capped at 1,001 (what the API would pay without the estimate): $(percentiles "$tmp/typo-count")"
last=$(sql -c 'SELECT max(id) FROM "People"')
first=$(sql -c 'SELECT min(id) FROM "People"')
# The API's cursor: the last id as 4 big-endian bytes, base64url without padding (Api/Contacts/ContactCursor.cs).
cursor() { local h; h=$(printf '%08x' "$1"); printf "\\x${h:0:2}\\x${h:2:2}\\x${h:4:2}\\x${h:6:2}" | base64 | tr '+/' '-_' | tr -d '='; }
page_urls=()
for depth in 0 $(( imported / 2 )) $(( imported - 60 )); do page_urls+=("/api/contacts?limit=50&cursor=$(cursor $(( first + depth )))"); done
timed_gets "list a page at depth 0, half-way and at the end" "${page_urls[@]}"
timed_gets "list a page at the end, newest first" "/api/contacts?limit=50&sort=newest"

say ""
say "== Plans (EXPLAIN ANALYZE, as the API asks)"
say "-- search 'smith', first page"
sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM \"PeopleSearch\" WHERE search LIKE public.addressbook_fold('%smith%') ESCAPE '\\' AND id > 0 ORDER BY id LIMIT 51" | indent
say "-- search 'ada hopper', first page"
sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM \"PeopleSearch\" WHERE search LIKE public.addressbook_fold('%ada%') ESCAPE '\\' AND search LIKE public.addressbook_fold('%hopper%') ESCAPE '\\' AND id > 0 ORDER BY id LIMIT 51" | indent
say "-- the page's contacts, read by the ids the search found"
sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT p.* FROM \"People\" AS p WHERE p.id IN (SELECT id FROM \"PeopleSearch\" WHERE search LIKE public.addressbook_fold('%ada%') ESCAPE '\\' AND search LIKE public.addressbook_fold('%hopper%') ESCAPE '\\' AND id > 0 ORDER BY id LIMIT 51) ORDER BY p.id" | indent
say "-- typo 'jonson': the closest known words"
sql -c "SET pg_trgm.word_similarity_threshold = 0.5" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $(similar_sql jonson)" | indent
say "-- typo 'jonson': first page, then the count"
sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM $(near_sql jonson) AND id > 0 ORDER BY id LIMIT 51" | indent
sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*) FROM (SELECT 1 FROM $(near_sql jonson) LIMIT 1001) AS capped" | indent
say "-- list, the page after id $(( first + imported / 2 ))"
sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM \"People\" WHERE id > $(( first + imported / 2 )) ORDER BY id LIMIT 51" | indent

stop_apphost || fail "the app host did not stop cleanly"
