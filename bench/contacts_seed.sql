-- A million plausible contacts, made inside PostgreSQL: names, a company and title, tags, an email and a phone each.
-- psql -v count=1000000 -f bench/contacts_seed.sql
\set ON_ERROR_STOP on
-- As an import does: the search texts and the words typos are looked up in are computed once, after the rows, rather
-- than by the triggers row by row; unlike a large import, before committing, so they are searchable when this ends.
BEGIN;
SET LOCAL addressbook.search_words_added_by_writer = on;
SET LOCAL addressbook.search_indexed_later = on;
SELECT coalesce(max(id), 0) AS last_id_before FROM "People" \gset
INSERT INTO "People" ("firstName", "lastName", company, title, tags, emails, phones, favorite, "createdAt", "updatedAt")
SELECT f, l, c, t,
       ARRAY[tg],
       jsonb_build_array(jsonb_build_object('label', 'work', 'value', lower(f) || '.' || lower(l) || i || '@example.com')),
       jsonb_build_array(jsonb_build_object('label', 'mobile', 'value', '+1 555 ' || lpad((i::bigint * 7919 % 10000000)::text, 7, '0'))),
       i % 50 = 0,
       now(), now()
FROM generate_series(1, :count) AS i
CROSS JOIN LATERAL (SELECT
    (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth','William','Barbara',
           'Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen','Zoë','José','Chloé','Ana','Björn','Søren',
           'Ada','Grace','Katherine','Alan','Edsger','Barbara','Donald','Margaret','Tim','Vint','Radia','Frances','Hedy','Ken'])
        [1 + (i * 31) % 40] AS f,
    (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernández','Lopez',
           'Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Pérez','Thompson','White','Müller',
           'Lovelace','Hopper','Turing','Dijkstra','Knuth','Hamilton','Berners-Lee','Cerf','Perlman','Allen','Lamarr','Thompson',
           'Ritchie','Kernighan','Liskov','Backus','McCarthy','Wirth','Hoare','Lamport','Torvalds','Stroustrup','Gosling','Ångström'])
        [1 + (i * 17 + i / 40) % 49] || CASE WHEN i % 7 = 0 THEN '' ELSE (i % 997)::text END AS l,
    (ARRAY['Acme','Globex','Initech','Umbrella','Stark Industries','Wayne Enterprises','Wonka','Cyberdyne','Soylent','Hooli',
           'Pied Piper','Massive Dynamic','Aperture','Black Mesa','Tyrell','Weyland-Yutani','Oscorp','Vandelay','Dunder Mifflin','Café Müller'])
        [1 + (i * 13) % 20] AS c,
    (ARRAY['Engineer','Manager','Director','Designer','Analyst','Consultant','Founder','Accountant','Nurse','Teacher'])[1 + (i * 11) % 10] AS t,
    (ARRAY['family','friends','work','school','club','neighbours','clients','suppliers','press','vip'])[1 + (i * 3) % 10] AS tg) AS pick;
SELECT public.addressbook_index_search(:last_id_before, 2147483647) AS indexed \gset
COMMIT;
ANALYZE "People", "PeopleSearch", "SearchWords";
