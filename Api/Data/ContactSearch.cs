namespace AddressBook.Api.Data;

/// <summary>
/// Searches run against one folded text per contact (names, company, title, tags, emails and phones, lower case
/// and without accents), which PostgreSQL keeps in a generated column with a trigram index: every writer, the
/// tutorial's app included, keeps it right, and a substring in any of those fields is an index look-up.
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
    public const string CreateFunctionsSql = """
        CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

        CREATE FUNCTION public.addressbook_fold(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

        CREATE FUNCTION public.addressbook_search_document(
            first_name text, last_name text, company text, title text, tags text[], emails jsonb, phones jsonb)
            RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN public.addressbook_fold(concat_ws(' ', first_name, last_name, company, title,
                array_to_string(tags, ' '),
                (SELECT string_agg(email ->> 'value', ' ') FROM jsonb_array_elements(emails) AS email),
                -- Phones also as bare digits, so "555 0100" and "(555) 0100" both find "+1 555-0100".
                (SELECT string_agg(concat_ws(' ', phone ->> 'value', regexp_replace(phone ->> 'value', '[^0-9]', '', 'g')), ' ')
                    FROM jsonb_array_elements(phones) AS phone)));
        """;

    public const string DropFunctionsSql = """
        DROP FUNCTION public.addressbook_search_document(text, text, text, text, text[], jsonb, jsonb);
        DROP FUNCTION public.addressbook_fold(text);
        """;

    /// <summary>Folds text as the search column is folded; translated to SQL, never run in .NET.</summary>
    public static string Fold(string text) => throw new InvalidOperationException($"{nameof(Fold)} runs only inside a database query.");
}
