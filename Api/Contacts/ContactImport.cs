using AddressBook.Api.Contacts.Interchange;
using AddressBook.Api.Data;
using AddressBook.Api.PersonFields;
using Npgsql;
using NpgsqlTypes;

namespace AddressBook.Api.Contacts;

/// <summary>What an import does with a record whose email or phone an existing contact already has.</summary>
public enum DuplicateHandling
{
    /// <summary>Leave the existing contact as it is and the record out; also a record repeating an earlier one of the file.</summary>
    Skip,

    /// <summary>Add the record's details to the existing contact: details it lacks, and emails, phones, addresses and tags it has not.</summary>
    Merge,

    /// <summary>Add the record as a contact of its own.</summary>
    Create,
}

public sealed record ImportProblem(int Line, string? Field, string Message);

/// <param name="IndexingForSearch">
/// The contacts created are many, and are listed at once but found by search only once the API has indexed them
/// (<see cref="SearchIndexing"/>), about two minutes per million.
/// </param>
public sealed record ImportOutcome(long Created, long Merged, long Skipped, IReadOnlyList<ImportProblem> Problems, bool IndexingForSearch = false);

/// <summary>
/// Imports a whole file in one transaction: every record is read, checked and streamed with binary COPY as it arrives,
/// so memory stays flat however large the file. Records that may duplicate contacts go into a staging table first, and
/// one statement per kind of outcome moves them into the address book; records to be created whatever they hold go
/// straight into it, so PostgreSQL stores and indexes each row while the next ones are still being read. One bad
/// record and nothing is written: the answer lists every problem found (up to <see cref="MaxProblems"/>) by line.
/// </summary>
public static class ContactImport
{
    public const int MaxProblems = 100;

    /// <summary>
    /// From this many contacts created on, their search texts are computed after the import commits; fewer are indexed
    /// in its transaction, found by search the moment the import answers, for about a second more.
    /// </summary>
    public const int IndexedLaterFrom = 10_000;

    // A million records take minutes to move, far past the 30 s a command may take elsewhere; the client going away
    // still cancels them.
    private const int StatementTimeoutSeconds = 3600;

    public static async Task<ImportOutcome> ImportAsync(
        NpgsqlDataSource dataSource,
        IAsyncEnumerable<ContactRecord> records,
        DuplicateHandling duplicates,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var direct = duplicates == DuplicateHandling.Create;
        // The words of a million contacts are added by one statement after the rows, not by the trigger row by row;
        // so are their search texts, until it is known whether they are few enough to index before committing.
        await ExecuteAsync(connection, $"SET LOCAL {ContactSearch.WordsAddedByWriterSetting} = on", cancellationToken);
        var lastIdBefore = (int)await ScalarAsync(connection, """SELECT coalesce(max(id), 0)::bigint FROM "People" """, cancellationToken);
        if (direct)
        {
            await SetIndexedLaterAsync(connection, true, cancellationToken);
        }
        else
        {
            await ExecuteAsync(connection, StagingTableSql, cancellationToken);
        }

        var problems = new List<ImportProblem>();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        ulong copied;
        var json = new DetailListsJson();
        await using (var copy = await connection.BeginBinaryImportAsync(direct ? DirectCopySql : CopySql, cancellationToken))
        {
            copy.Timeout = TimeSpan.FromSeconds(StatementTimeoutSeconds);
            await foreach (var record in records.WithCancellation(cancellationToken))
            {
                if (!record.IsContact)
                {
                    AddProblem(problems, new ImportProblem(record.LineNumber, null, record.Error));
                    continue;
                }

                var nameErrors = PersonFieldsValidation.Validate(record.Contact);
                var detailErrors = ContactDetails.Validate(record.Contact, today);
                if (nameErrors.Count + detailErrors.Count > 0)
                {
                    foreach (var (field, messages) in nameErrors.Concat(detailErrors))
                    {
                        AddProblem(problems, new ImportProblem(record.LineNumber, field, string.Join(" ", messages)));
                    }

                    continue;
                }

                // Once a problem is found nothing will be written; the rest of the file is still read to report all of them.
                if (problems.Count == 0)
                {
                    await WriteRowAsync(copy, json, record.LineNumber, record.Contact, direct ? now : null, cancellationToken);
                }
            }

            if (problems.Count > 0)
            {
                return new ImportOutcome(0, 0, 0, problems);
            }

            copied = await copy.CompleteAsync(cancellationToken);
        }

        if (direct)
        {
            var indexedLater = await IndexCreatedAsync(connection, lastIdBefore, (long)copied, cancellationToken);
            await AnalyzeIfManyAsync(connection, (long)copied, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new ImportOutcome((long)copied, 0, 0, [], indexedLater);
        }

        // A temporary table has no statistics until asked: without them the matching joins are planned for a guess.
        await ExecuteAsync(connection, "ANALYZE import_staging", cancellationToken);
        var outcome = await MoveIntoAddressBookAsync(connection, duplicates, lastIdBefore, (long)copied, now, cancellationToken);
        if (outcome.Problems.Count > 0)
        {
            return outcome;
        }

        // Every word the contacts created or merged gained is one of the staged records'; a skipped one's only costs a look-up.
        await ExecuteAsync(connection, ContactSearch.AddWordsOfRowsSql("import_staging"), cancellationToken);
        await AnalyzeIfManyAsync(connection, outcome.Created + outcome.Merged, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private static Task SetIndexedLaterAsync(NpgsqlConnection connection, bool later, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, $"SET LOCAL {SearchIndexing.IndexedLaterSetting} = {(later ? "on" : "off")}", cancellationToken);

    /// <summary>
    /// Indexes the contacts created past <paramref name="lastIdBefore"/> for search, or when they are many records
    /// them for the indexer to do after the commit; says which.
    /// </summary>
    private static async Task<bool> IndexCreatedAsync(NpgsqlConnection connection, int lastIdBefore, long created, CancellationToken cancellationToken)
    {
        await SetIndexedLaterAsync(connection, false, cancellationToken);
        var later = created >= IndexedLaterFrom;
        await ExecuteAsync(
            connection,
            later ? SearchIndexing.RecordBacklogSql : $"SELECT public.{SearchIndexing.IndexRangeFunction}($1, {int.MaxValue})",
            cancellationToken,
            lastIdBefore);
        return later;
    }

    /// <summary>
    /// Rows written in bulk leave the planner's statistics describing the table before them until autovacuum gets to it,
    /// a minute or more later: right after a million contacts were imported into an empty table, word searches through
    /// the API took 170-420 ms; with the statistics analysed, 20-75 ms. Analysed inside the import's transaction, the
    /// new statistics are in place the moment its rows are visible (ANALYZE counts the transaction's own rows), for
    /// about 3 s of a million-row import. A few rows more do not change the statistics of a large table, so only an
    /// import that adds a tenth of it pays. A role that does not own the table gets a warning from PostgreSQL, not an
    /// error, and the import goes on.
    /// </summary>
    private static async Task AnalyzeIfManyAsync(NpgsqlConnection connection, long written, CancellationToken cancellationToken)
    {
        const long FewRows = 1000;
        if (written < FewRows)
        {
            return;
        }

        await using var estimate = new NpgsqlCommand("""SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'public."People"'::regclass""", connection);
        if (written * 10 >= (long)(await estimate.ExecuteScalarAsync(cancellationToken))!)
        {
            await ExecuteAsync(connection, """ANALYZE public."People" """, cancellationToken);
        }
    }

    private static void AddProblem(List<ImportProblem> problems, ImportProblem problem)
    {
        if (problems.Count < MaxProblems)
        {
            problems.Add(problem);
        }
    }

    /// <summary>One row of <see cref="CopySql"/>, or of <see cref="DirectCopySql"/> when <paramref name="createdAt"/> is given.</summary>
    private static async Task WriteRowAsync(
        NpgsqlBinaryImporter copy, DetailListsJson json, int line, ContactInput input, DateTimeOffset? createdAt, CancellationToken cancellationToken)
    {
        var person = input.ToNewPerson(default);
        input.ApplyTo(person);
        await copy.StartRowAsync(cancellationToken);
        if (createdAt is null)
        {
            await copy.WriteAsync(line, NpgsqlDbType.Integer, cancellationToken);
        }

        await copy.WriteAsync(person.FirstName.Trim(), NpgsqlDbType.Text, cancellationToken);
        await WriteNullableAsync(copy, person.LastName?.Trim(), NpgsqlDbType.Text, cancellationToken);
        await WriteNullableAsync(copy, person.Company, NpgsqlDbType.Text, cancellationToken);
        await WriteNullableAsync(copy, person.Title, NpgsqlDbType.Text, cancellationToken);
        if (person.Birthday is { } birthday)
        {
            await copy.WriteAsync(birthday, NpgsqlDbType.Date, cancellationToken);
        }
        else
        {
            await copy.WriteNullAsync(cancellationToken);
        }

        await WriteNullableAsync(copy, person.Notes, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(person.Favorite, NpgsqlDbType.Boolean, cancellationToken);
        await copy.WriteAsync(person.Tags, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(json.Of(person.Emails), NpgsqlDbType.Jsonb, cancellationToken);
        await copy.WriteAsync(json.Of(person.Phones), NpgsqlDbType.Jsonb, cancellationToken);
        await copy.WriteAsync(json.Of(person.Addresses), NpgsqlDbType.Jsonb, cancellationToken);
        if (createdAt is { } at)
        {
            await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        else
        {
            await copy.WriteAsync(DuplicateKeys(person), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);

    /// <summary>What makes two contacts the same person for an import: an email in any case, a phone's digits.</summary>
    private static string[] DuplicateKeys(Person person) =>
    [
        .. person.Emails.Select(email => email.Value.ToLowerInvariant()),
        .. person.Phones.Select(phone => "tel:" + new string([.. phone.Value.Where(char.IsAsciiDigit)])).Where(key => key.Length >= 4 + MinPhoneDigits),
    ];

    // Shorter numbers (extensions, short codes) are shared by too many people to mean the same one.
    private const int MinPhoneDigits = 6;

    private static async Task<ImportOutcome> MoveIntoAddressBookAsync(
        NpgsqlConnection connection, DuplicateHandling duplicates, int lastIdBefore, long staged, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, MatchExistingSql, cancellationToken);
        if (duplicates == DuplicateHandling.Skip)
        {
            await ExecuteAsync(connection, MatchEarlierRecordsSql, cancellationToken);
            var (created, indexedLater) = await InsertStagedAsync(connection, "s.existing IS NULL AND NOT s.repeats_earlier", lastIdBefore, staged, now, cancellationToken);
            return new ImportOutcome(created, 0, staged - created, [], indexedLater);
        }

        var merged = await ScalarAsync(connection, "SELECT count(*) FROM import_staging WHERE existing IS NOT NULL", cancellationToken);
        var beyondLimits = await MergeAsync(connection, now, cancellationToken);
        if (beyondLimits.Count > 0)
        {
            return new ImportOutcome(0, 0, 0, beyondLimits);
        }

        var (inserted, later) = await InsertStagedAsync(connection, "s.existing IS NULL", lastIdBefore, staged, now, cancellationToken);
        return new ImportOutcome(inserted, merged, 0, [], later);
    }

    /// <summary>
    /// Creates the staged records that meet <paramref name="condition"/>. When they may be many (the staged records
    /// are), their texts are left to the trigger-free path of <see cref="IndexCreatedAsync"/>; merged contacts, updated
    /// before, had theirs kept by the trigger.
    /// </summary>
    private static async Task<(long Created, bool IndexedLater)> InsertStagedAsync(
        NpgsqlConnection connection, string condition, int lastIdBefore, long staged, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (staged < IndexedLaterFrom)
        {
            return (await ExecuteAsync(connection, InsertSql(condition), cancellationToken, now), false);
        }

        await SetIndexedLaterAsync(connection, true, cancellationToken);
        var created = await ExecuteAsync(connection, InsertSql(condition), cancellationToken, now);
        return (created, await IndexCreatedAsync(connection, lastIdBefore, created, cancellationToken));
    }

    /// <summary>
    /// Merges the records into the contacts they match. Each record keeps within a contact's limits, but several
    /// merged into one contact, with what it already held, may not: such a contact is reported at the line of the last
    /// record merged into it, and the import's transaction then writes nothing, as for any other bad record.
    /// </summary>
    private static async Task<List<ImportProblem>> MergeAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var problems = new List<ImportProblem>();
        await using var command = new NpgsqlCommand(MergeSql, connection) { CommandTimeout = StatementTimeoutSeconds };
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (id, lastLine) = (reader.GetInt32(0), reader.GetInt32(1));
            (string Field, int Count, int Max, string Unit)[] sizes =
            [
                ("emails", reader.GetInt32(2), ContactDetails.MaxEmails, "emails"),
                ("phones", reader.GetInt32(3), ContactDetails.MaxPhones, "phones"),
                ("addresses", reader.GetInt32(4), ContactDetails.MaxAddresses, "addresses"),
                ("tags", reader.GetInt32(5), ContactDetails.MaxTags, "tags"),
                ("notes", reader.GetInt32(6), ContactDetails.NotesMaxLength, "characters of notes"),
            ];
            foreach (var (field, count, max, unit) in sizes.Where(size => size.Count > size.Max))
            {
                AddProblem(problems, new ImportProblem(lastLine, field,
                    $"Merged into contact {id} with the file's other records for it, this would make {count} {unit}; a contact has {max} at most."));
            }
        }

        return problems;
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, object? parameter = null)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = StatementTimeoutSeconds };
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = StatementTimeoutSeconds };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private const string StagingTableSql = """
        CREATE TEMP TABLE import_staging (
            line int PRIMARY KEY, "firstName" text NOT NULL, "lastName" text, company text, title text, birthday date, notes text,
            favorite boolean NOT NULL, tags text[] NOT NULL, emails jsonb NOT NULL, phones jsonb NOT NULL, addresses jsonb NOT NULL,
            keys text[] NOT NULL, existing int, repeats_earlier boolean NOT NULL DEFAULT false
        ) ON COMMIT DROP
        """;

    private const string CopySql = """
        COPY import_staging (line, "firstName", "lastName", company, title, birthday, notes, favorite, tags, emails, phones, addresses, keys)
        FROM STDIN (FORMAT BINARY)
        """;

    // In file order, so ids follow the file as they do for the staged records.
    private const string DirectCopySql = """
        COPY "People" ("firstName", "lastName", company, title, birthday, notes, favorite, tags, emails, phones, addresses, "createdAt", "updatedAt")
        FROM STDIN (FORMAT BINARY)
        """;

    // Every existing contact's keys, taken apart once and joined to the records' keys, rather than one look-up per record.
    private const string MatchExistingSql = """
        WITH staged_keys AS (
            SELECT s.line, k.key FROM import_staging AS s CROSS JOIN LATERAL unnest(s.keys) AS k(key)
        ), existing_keys AS (
            SELECT p.id, lower(e.value ->> 'value') AS key FROM "People" AS p CROSS JOIN LATERAL jsonb_array_elements(p.emails) AS e(value)
            WHERE p.emails <> '[]'
            UNION ALL
            SELECT p.id, 'tel:' || regexp_replace(t.value ->> 'value', '[^0-9]', '', 'g') FROM "People" AS p
            CROSS JOIN LATERAL jsonb_array_elements(p.phones) AS t(value)
            WHERE p.phones <> '[]'
        ), matched AS (
            SELECT sk.line, min(ek.id) AS id FROM staged_keys AS sk JOIN existing_keys AS ek USING (key) GROUP BY sk.line
        )
        UPDATE import_staging AS s SET existing = matched.id FROM matched WHERE s.line = matched.line
        """;

    private const string MatchEarlierRecordsSql = """
        WITH staged_keys AS (
            SELECT s.line, k.key FROM import_staging AS s CROSS JOIN LATERAL unnest(s.keys) AS k(key)
        ), first_line AS (
            SELECT key, min(line) AS line FROM staged_keys GROUP BY key
        ), repeats AS (
            SELECT DISTINCT sk.line FROM staged_keys AS sk JOIN first_line AS f USING (key) WHERE sk.line > f.line
        )
        UPDATE import_staging AS s SET repeats_earlier = true FROM repeats WHERE s.line = repeats.line
        """;

    private static string InsertSql(string condition) => $"""
        INSERT INTO "People" ("firstName", "lastName", company, title, birthday, notes, favorite, tags, emails, phones, addresses, "createdAt", "updatedAt")
        SELECT s."firstName", s."lastName", s.company, s.title, s.birthday, s.notes, s.favorite, s.tags, s.emails, s.phones, s.addresses, $1, $1
        FROM import_staging AS s WHERE {condition} ORDER BY s.line
        """;

    // Several records may match one contact: their details are folded together in file order first, so none is lost.
    // Only the contacts the merge took past a limit come back, with the last of the lines merged into each.
    private static readonly string MergeSql = $$"""
        WITH incoming AS (
            SELECT existing AS id,
                (array_agg(company ORDER BY line) FILTER (WHERE company IS NOT NULL))[1] AS company,
                (array_agg(title ORDER BY line) FILTER (WHERE title IS NOT NULL))[1] AS title,
                (array_agg(birthday ORDER BY line) FILTER (WHERE birthday IS NOT NULL))[1] AS birthday,
                string_agg(notes, E'\n' ORDER BY line) AS notes,
                bool_or(favorite) AS favorite,
                array_agg(line ORDER BY line) AS lines
            FROM import_staging WHERE existing IS NOT NULL GROUP BY existing
        ), merged AS (
        UPDATE "People" AS p SET
            company = coalesce(p.company, i.company),
            title = coalesce(p.title, i.title),
            birthday = coalesce(p.birthday, i.birthday),
            notes = CASE WHEN i.notes IS NULL OR p.notes LIKE '%' || i.notes || '%' THEN p.notes ELSE concat_ws(E'\n', p.notes, i.notes) END,
            favorite = p.favorite OR i.favorite,
            tags = ARRAY(
                SELECT DISTINCT ON (lower(tag)) tag FROM (
                    SELECT tag, 0 AS line, ordinality FROM unnest(p.tags) WITH ORDINALITY AS t(tag, ordinality)
                    UNION ALL
                    SELECT tag, s.line, ordinality FROM import_staging AS s, unnest(s.tags) WITH ORDINALITY AS t(tag, ordinality) WHERE s.line = ANY (i.lines)
                ) AS all_tags ORDER BY lower(tag), line, ordinality),
            emails = (
                SELECT coalesce(jsonb_agg(email ORDER BY line, ordinality), '[]') FROM (
                    SELECT DISTINCT ON (lower(email ->> 'value')) email, line, ordinality FROM (
                        SELECT email, 0 AS line, ordinality FROM jsonb_array_elements(p.emails) WITH ORDINALITY AS e(email, ordinality)
                        UNION ALL
                        SELECT email, s.line, ordinality FROM import_staging AS s, jsonb_array_elements(s.emails) WITH ORDINALITY AS e(email, ordinality)
                        WHERE s.line = ANY (i.lines)
                    ) AS all_emails ORDER BY lower(email ->> 'value'), line, ordinality) AS distinct_emails),
            phones = (
                SELECT coalesce(jsonb_agg(phone ORDER BY line, ordinality), '[]') FROM (
                    SELECT DISTINCT ON (regexp_replace(phone ->> 'value', '[^0-9]', '', 'g')) phone, line, ordinality FROM (
                        SELECT phone, 0 AS line, ordinality FROM jsonb_array_elements(p.phones) WITH ORDINALITY AS e(phone, ordinality)
                        UNION ALL
                        SELECT phone, s.line, ordinality FROM import_staging AS s, jsonb_array_elements(s.phones) WITH ORDINALITY AS e(phone, ordinality)
                        WHERE s.line = ANY (i.lines)
                    ) AS all_phones ORDER BY regexp_replace(phone ->> 'value', '[^0-9]', '', 'g'), line, ordinality) AS distinct_phones),
            addresses = (
                SELECT coalesce(jsonb_agg(address ORDER BY line, ordinality), '[]') FROM (
                    SELECT DISTINCT ON (address - 'label') address, line, ordinality FROM (
                        SELECT address, 0 AS line, ordinality FROM jsonb_array_elements(p.addresses) WITH ORDINALITY AS e(address, ordinality)
                        UNION ALL
                        SELECT address, s.line, ordinality FROM import_staging AS s, jsonb_array_elements(s.addresses) WITH ORDINALITY AS e(address, ordinality)
                        WHERE s.line = ANY (i.lines)
                    ) AS all_addresses ORDER BY address - 'label', line, ordinality) AS distinct_addresses),
            "updatedAt" = $1
        FROM incoming AS i WHERE p.id = i.id
        RETURNING p.id, i.lines[cardinality(i.lines)] AS last_line, jsonb_array_length(p.emails) AS emails,
            jsonb_array_length(p.phones) AS phones, jsonb_array_length(p.addresses) AS addresses, cardinality(p.tags) AS tags,
            coalesce(length(p.notes), 0) AS notes
        )
        SELECT id, last_line, emails, phones, addresses, tags, notes FROM merged
        WHERE emails > {{ContactDetails.MaxEmails}} OR phones > {{ContactDetails.MaxPhones}} OR addresses > {{ContactDetails.MaxAddresses}}
            OR tags > {{ContactDetails.MaxTags}} OR notes > {{ContactDetails.NotesMaxLength}}
        """;
}
