namespace AddressBook.Api.Data;

/// <summary>
/// Searches run against one folded text per contact (names, company, title, tags, emails and phones, lower case
/// and without accents), which PostgreSQL keeps beside the contact with a trigram index (<see cref="SearchIndexing"/>):
/// every writer, the tutorial's app included, keeps it right, and a substring in any of those fields is an index look-up.
/// </summary>
public static class ContactSearch
{
    public const string FoldFunction = "addressbook_fold";

    /// <summary>How close a searched word must be to a word of the contact to count as a typo of it (pg_trgm's word similarity).</summary>
    public const double WordSimilarityThreshold = 0.5;

    public const string DocumentSql = """public.addressbook_search_document("firstName", "lastName", company, title, tags, emails, phones)""";

    /// <summary>
    /// unaccent is only STABLE (its dictionary could change), so it cannot feed a generated column or an index
    /// directly; pinned to one dictionary it is as immutable as the column needs.
    /// </summary>
    public const string CreateFunctionsSql = $$"""
        CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

        CREATE FUNCTION public.addressbook_fold(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

        {{FirstDocumentFunctionSql}}
        """;

    /// <summary>The search text as the contact details first made it; a subquery per list made it cost ~60 µs a row.</summary>
    public const string FirstDocumentFunctionSql = """
        CREATE OR REPLACE FUNCTION public.addressbook_search_document(
            first_name text, last_name text, company text, title text, tags text[], emails jsonb, phones jsonb)
            RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN public.addressbook_fold(concat_ws(' ', first_name, last_name, company, title,
                array_to_string(tags, ' '),
                (SELECT string_agg(email ->> 'value', ' ') FROM jsonb_array_elements(emails) AS email),
                -- Phones also as bare digits, so "555 0100" and "(555) 0100" both find "+1 555-0100".
                (SELECT string_agg(concat_ws(' ', phone ->> 'value', regexp_replace(phone ->> 'value', '[^0-9]', '', 'g')), ' ')
                    FROM jsonb_array_elements(phones) AS phone)));
        """;

    /// <summary>
    /// The same words as <see cref="FirstDocumentFunctionSql"/> for a third of the work, which an import of a million
    /// contacts pays once per row. PL/pgSQL evaluates the body as one cached expression, where the SQL function set up
    /// its two subqueries' executors on every call; the values of emails and phones come out of one jsonpath each as a
    /// JSON array's text, whose brackets, quotes and commas separate words just as spaces do, for LIKE and for pg_trgm.
    /// A phone's bare digits drop the only characters a valid phone has beside them, which translate does several
    /// times faster than a regular expression.
    /// </summary>
    public const string DocumentFunctionSql = """
        CREATE OR REPLACE FUNCTION public.addressbook_search_document(
            first_name text, last_name text, company text, title text, tags text[], emails jsonb, phones jsonb)
            RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
        AS $body$
        DECLARE
            phone_values text := nullif(jsonb_path_query_array(phones, '$[*].value')::text, '[]');
        BEGIN
            RETURN public.addressbook_fold(concat_ws(' ', first_name, last_name, company, title, array_to_string(tags, ' '),
                nullif(jsonb_path_query_array(emails, '$[*].value')::text, '[]'),
                -- Phones also as bare digits, so "555 0100" and "(555) 0100" both find "+1 555-0100".
                phone_values,
                translate(phone_values, '+ ().-/', '')));
        END
        $body$;
        """;

    /// <summary>
    /// pg_trgm declares its word similarity operators as cheap as comparing two integers, where each call takes as
    /// long as ~50 LIKEs over the search text (it takes the whole text apart into trigrams). Believing that, the planner
    /// counted a typo's matches by testing row after row (1.1 s at a million contacts) rather than with the trigram
    /// index (85 ms). Their owner alone may say otherwise; where the migration's role is not it, the plans stay as they were.
    /// </summary>
    public const int SimilarityCost = 50;

    /// <summary>pg_trgm's own cost for its word similarity operators, which a migration back restores.</summary>
    public const int DefaultSimilarityCost = 1;

    public static string SetSimilarityCostSql(int cost) => $$"""
        DO $body$
        BEGIN
            ALTER FUNCTION public.word_similarity_op(text, text) COST {{cost}};
            ALTER FUNCTION public.word_similarity_commutator_op(text, text) COST {{cost}};
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm''s word similarity operators keep their cost: %', SQLERRM;
        END
        $body$;
        """;

    /// <summary>How many of the closest known words a typo stands for; each becomes one more pattern the contacts are searched for.</summary>
    public const int SimilarWordsPerTypo = 10;

    /// <summary>
    /// Adds the words of the contacts whose id is past the one given (superseded by
    /// <see cref="SearchIndexing.IndexRangeFunction"/>, which adds the words of a range with its texts), for a writer of
    /// many that turned <see cref="WordsAddedByWriterSetting"/> on: ids only grow, so the rows it wrote are past the last id before it
    /// began (a concurrent writer's rows among them only have their words added twice). It gets room to hash: rows just
    /// written have no statistics yet, and a guess of millions of distinct values would have them sorted on disk.
    /// </summary>
    public const string AddWordsAfterFunction = "addressbook_add_search_words_after";

    /// <summary>
    /// A session setting a writer of many contacts turns on (<c>SET LOCAL</c>) to add their words itself, with
    /// <see cref="SearchIndexing.IndexRangeFunction"/> or <see cref="AddWordsOfRowsSql"/>, instead of the trigger adding them row by row.
    /// </summary>
    public const string WordsAddedByWriterSetting = "addressbook.search_words_added_by_writer";

    /// <summary>
    /// The words of values (names, company, title, tags), folded as the search text is, from the set of them in
    /// <paramref name="values"/> (a column named value). Digits and punctuation end a word: "Hopper2" and "hopper-smith"
    /// hold the word "hopper", so real names, not every numbered variant of one, make up the table a typo is looked up
    /// in, and the contacts are then searched for "hopper" as a substring, which finds "hopper2" too. Digits become
    /// spaces before the values are told apart, so "Smith1" to "Smith996" are folded once. One letter is no word a
    /// typo could be told from. Words are added in order, so two writers adding the same new words wait for each
    /// other rather than deadlock.
    /// </summary>
    private static string AddWordsSql(string values) => $"""
        INSERT INTO public."SearchWords" (word)
        SELECT DISTINCT word
        FROM (SELECT DISTINCT translate(value, '0123456789', '          ') FROM {values}) AS letters (value),
            regexp_split_to_table(public.addressbook_fold(letters.value), '[[:space:][:punct:][:digit:]]+') AS word
        WHERE length(word) > 1
        ORDER BY word
        ON CONFLICT (word) DO NOTHING
        """;

    /// <summary>
    /// Adds the words of the contacts in <paramref name="rows"/> (a table, or a subquery with its alias, holding the
    /// columns of "People" that words come from), each distinct value folded once: an import of a million contacts
    /// holds ~50,000 distinct values. Each column is told apart on its own, where the planner knows how many distinct
    /// values it holds and so hashes them; told apart all together, five million values were sorted on disk.
    /// </summary>
    public static string AddWordsOfRowsSql(string rows) => AddWordsSql($"""
        (SELECT DISTINCT "firstName" FROM {rows} UNION SELECT DISTINCT "lastName" FROM {rows} UNION SELECT DISTINCT company FROM {rows}
            UNION SELECT DISTINCT title FROM {rows} UNION SELECT DISTINCT unnest(tags) FROM {rows}) AS source (value)
        """);

    /// <summary>
    /// A trigger keeps the words of every contact in <see cref="SearchWordConfiguration.TableName"/>, whoever writes it
    /// (the tutorial's app too), unless the writer said it adds them itself (<see cref="WordsAddedByWriterSetting"/>),
    /// as an import does for a million rows in one statement; that test is made in the trigger's WHEN, which costs a
    /// row no function call. A trigger per statement would have to keep every row it wrote in a transition table, which
    /// cost an import of a million contacts ~6 s before any word was looked at. A word no contact holds any more stays:
    /// it only costs a look-up that then finds nobody. The function runs as its owner, so a writer with rights on
    /// "People" only still adds its words.
    /// </summary>
    private const string RowWordSourcesSql = """unnest(ARRAY[NEW."firstName"::text, NEW."lastName", NEW.company, NEW.title] || NEW.tags) AS source (value)""";

    public static readonly string SearchWordsSql = $$"""
        CREATE FUNCTION public.addressbook_add_search_words() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $body$
        BEGIN
            {{AddWordsSql(RowWordSourcesSql)}};
            RETURN NULL;
        END
        $body$;

        CREATE TRIGGER search_words AFTER INSERT OR UPDATE OF "firstName", "lastName", company, title, tags ON public."People"
            FOR EACH ROW WHEN (current_setting('{{WordsAddedByWriterSetting}}', true) IS DISTINCT FROM 'on')
            EXECUTE FUNCTION public.addressbook_add_search_words();

        CREATE FUNCTION public.{{AddWordsAfterFunction}}(after_id bigint) RETURNS void
            LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB'
        AS $body$
            {{AddWordsOfRowsSql("""(SELECT "firstName", "lastName", company, title, tags FROM public."People" WHERE id > after_id) AS written""")}}
        $body$;

        SELECT public.{{AddWordsAfterFunction}}(0);
        ANALYZE public."SearchWords";
        """;

    /// <summary>
    /// How many values of the search text ANALYZE keeps as a histogram, from which the planner estimates how many
    /// contacts hold a word. With PostgreSQL's 100, a word one contact in fifty holds is missing from one histogram in
    /// eight: the planner then expected ~200 matches, fetched all 20,000 through the trigram index and sorted them
    /// (180 ms at a million contacts) instead of reading the primary key's index until a page was full (5 ms). 500
    /// misses such a word once in 20,000 samples, for ~1 ms more planning of a search of three words.
    /// </summary>
    public const int SearchStatisticsTarget = 500;

    public static string SetSearchStatisticsSql(string table, int target) => $"""ALTER TABLE public."{table}" ALTER COLUMN search SET STATISTICS {target}""";

    public const string DropSearchWordsSql = $"""
        DROP FUNCTION public.{AddWordsAfterFunction}(bigint);
        DROP TRIGGER search_words ON public."People";
        DROP FUNCTION public.addressbook_add_search_words();
        """;

    public const string DropFunctionsSql = """
        DROP FUNCTION public.addressbook_search_document(text, text, text, text, text[], jsonb, jsonb);
        DROP FUNCTION public.addressbook_fold(text);
        """;

    /// <summary>Folds text as the search text is folded; translated to SQL, never run in .NET.</summary>
    public static string Fold(string text) => throw new InvalidOperationException($"{nameof(Fold)} runs only inside a database query.");
}
