namespace AddressBook.Api.Data;

/// <summary>
/// How contacts' search texts (<see cref="PersonSearchText"/>) are kept. A trigger on "People" writes a contact's text
/// with the contact, whoever writes it (the tutorial's app too), unless the writer turned
/// <see cref="IndexedLaterSetting"/> on: then it records the ids it wrote in <see cref="BacklogTable"/>, in the same
/// transaction, and the API's indexer computes their texts after it commits (<see cref="IndexRangeFunction"/>).
/// A million contacts cost an import ~12 s of search text and ~40 s of trigram index upkeep; left to the indexer they
/// cost it the same, but the import answers first and the contacts are listed at once, found by search a minute or two later.
/// </summary>
public static class SearchIndexing
{
    /// <summary>A session setting a writer of many contacts turns on (<c>SET LOCAL</c>) so their texts are computed after it commits.</summary>
    public const string IndexedLaterSetting = "addressbook.search_indexed_later";

    /// <summary>Ranges of ids (after, through] whose texts may still be missing, and when they were recorded.</summary>
    public const string BacklogTable = "SearchBacklog";

    /// <summary>
    /// Computes the missing texts of the contacts with ids in (after, through], and adds their words to the ones a
    /// typo is looked up in; returns how many texts it added. A text the trigger wrote meanwhile is newer and stays.
    /// </summary>
    public const string IndexRangeFunction = "addressbook_index_search";

    private const string RangeRows = """
        (SELECT "firstName", "lastName", company, title, tags FROM public."People" WHERE id > after_id AND id <= through_id) AS written
        """;

    public static readonly string CreateSql = $$"""
        CREATE TABLE public."{{BacklogTable}}" (
            id serial PRIMARY KEY,
            after_id integer NOT NULL,
            through_id integer NOT NULL,
            recorded_at timestamp with time zone NOT NULL DEFAULT now()
        );

        CREATE FUNCTION public.addressbook_keep_search_text() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $body$
        BEGIN
            INSERT INTO public."{{PersonSearchTextConfiguration.TableName}}" AS kept (id, search, favorite, tags)
            VALUES (NEW.id, public.addressbook_search_document(NEW."firstName", NEW."lastName", NEW.company, NEW.title, NEW.tags, NEW.emails, NEW.phones),
                NEW.favorite, NEW.tags)
            ON CONFLICT (id) DO UPDATE SET search = EXCLUDED.search, favorite = EXCLUDED.favorite, tags = EXCLUDED.tags
                WHERE (kept.search, kept.favorite, kept.tags) IS DISTINCT FROM (EXCLUDED.search, EXCLUDED.favorite, EXCLUDED.tags);
            RETURN NULL;
        END
        $body$;

        CREATE TRIGGER search_text AFTER INSERT OR UPDATE OF "firstName", "lastName", company, title, tags, emails, phones, favorite ON public."People"
            FOR EACH ROW WHEN (current_setting('{{IndexedLaterSetting}}', true) IS DISTINCT FROM 'on')
            EXECUTE FUNCTION public.addressbook_keep_search_text();

        CREATE FUNCTION public.{{IndexRangeFunction}}(after_id integer, through_id integer) RETURNS bigint
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB'
        AS $body$
        DECLARE
            added bigint;
        BEGIN
            INSERT INTO public."{{PersonSearchTextConfiguration.TableName}}" (id, search, favorite, tags)
            SELECT id, public.addressbook_search_document("firstName", "lastName", company, title, tags, emails, phones), favorite, tags
            FROM public."People" WHERE id > after_id AND id <= through_id
            ORDER BY id
            ON CONFLICT (id) DO NOTHING;
            GET DIAGNOSTICS added = ROW_COUNT;
            {{ContactSearch.AddWordsOfRowsSql(RangeRows)}};
            RETURN added;
        END
        $body$;
        """;

    public const string DropSql = $"""
        DROP FUNCTION public.{IndexRangeFunction}(integer, integer);
        DROP TRIGGER search_text ON public."People";
        DROP FUNCTION public.addressbook_keep_search_text();
        DROP TABLE public."{BacklogTable}";
        """;

    /// <summary>Records that the texts of the ids in (<c>$1</c>, the last id now] are to be computed; nothing when there are none.</summary>
    public const string RecordBacklogSql = $"""
        INSERT INTO public."{BacklogTable}" (after_id, through_id)
        SELECT $1, max(id) FROM public."People" HAVING max(id) > $1
        """;

    /// <summary>How many contacts may still lack their search text: an upper bound, as ids of deleted contacts count too.</summary>
    public const string PendingSql = $"""SELECT coalesce(sum(through_id - after_id), 0)::bigint FROM public."{BacklogTable}" """;
}
