using System.Linq.Expressions;
using System.Text.Json;
using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Contacts;

public enum ContactOrder
{
    Oldest,
    Newest,
    Relevance,
}

/// <summary>How many contacts a listing holds: exact up to a bound, past it an estimate, so counting stays cheap at any size.</summary>
public sealed record ContactCount(long Value, bool Exact);

public sealed record RankedContact(ContactDto Contact, double Rank);

/// <summary>Where a page ends: the last contact's id, and in a ranked listing its tier.</summary>
public readonly record struct ContactPosition(double Rank, int Id)
{
    public static readonly ContactPosition Start = new(0, 0);

    public bool IsStart => Id == 0;

    public string Encode(ContactOrder order) => order == ContactOrder.Relevance ? ContactCursor.Encode(Rank, Id) : ContactCursor.Encode(Id);

    public static bool TryDecode(string cursor, ContactOrder order, out ContactPosition position)
    {
        double rank = 0;
        int id;
        var decoded = order == ContactOrder.Relevance
            ? ContactCursor.TryDecode(cursor, out rank, out id) && rank is ContactListing.ExactTier or ContactListing.NearTier
            : ContactCursor.TryDecode(cursor, out id);
        position = decoded ? new ContactPosition(rank, id) : Start;
        return decoded;
    }
}

/// <summary>What a listing is narrowed to besides its search: contacts with a tag, favourites or the others.</summary>
public sealed record ContactFilter(string? Tag, bool? Favorite)
{
    public bool Narrows => !string.IsNullOrEmpty(Tag) || Favorite is not null;

    public IQueryable<Person> Apply(IQueryable<Person> people)
    {
        if (!string.IsNullOrEmpty(Tag))
        {
            people = people.Where(person => person.Tags.Contains(Tag));
        }

        return Favorite is { } favorite ? people.Where(person => person.Favorite == favorite) : people;
    }

    public IQueryable<PersonSearchText> Apply(IQueryable<PersonSearchText> texts)
    {
        if (!string.IsNullOrEmpty(Tag))
        {
            texts = texts.Where(text => text.Tags.Contains(Tag));
        }

        return Favorite is { } favorite ? texts.Where(text => text.Favorite == favorite) : texts;
    }
}

/// <summary>Per word of a search, LIKE patterns for the known words closest to it (<see cref="ContactListing.SimilarWordsAsync"/>).</summary>
public sealed record SimilarWords(IReadOnlyList<string[]> Patterns);

/// <summary>The queries behind a listing: which contacts match a search, in which order, how many there are.</summary>
public static class ContactListing
{
    /// <summary>Past this many matches a count is given as an estimate.</summary>
    public const int ExactCountLimit = 1000;

    /// <summary>Past this many expected matches, a search's total is the planner's estimate rather than a count.</summary>
    public const int EstimatedPast = 2 * ExactCountLimit;

    private const string LikeEscape = "\\";

    internal const double ExactTier = 1;

    internal const double NearTier = 2;

    /// <summary>
    /// The search texts of the contacts <paramref name="filter"/> keeps. A text exists for every contact but those a
    /// large import added moments ago (<see cref="SearchIndexing"/>), and for no contact that is gone, so a page of
    /// texts is a page of contacts.
    /// </summary>
    public static IQueryable<PersonSearchText> TextsOf(AddressBookDbContext db, ContactFilter filter) => filter.Apply(db.SearchTexts.AsNoTracking());

    /// <summary>Every word is part of the search text: a substring, answered by the trigram index.</summary>
    public static IQueryable<PersonSearchText> Containing(IQueryable<PersonSearchText> texts, string search)
    {
        foreach (var word in Words(search))
        {
            var pattern = $"%{EscapeLikePattern(word)}%";
            texts = texts.Where(text => EF.Functions.Like(text.Text, ContactSearch.Fold(pattern), LikeEscape));
        }

        return texts;
    }

    /// <summary>
    /// Every word is part of the search text, or one of the known words closest to it (<see cref="SimilarWords"/>)
    /// is: a typo is matched against the table of words rather than against every contact's text, and the contacts are
    /// then found by substrings, which the trigram index answers as it does any search.
    /// </summary>
    public static IQueryable<PersonSearchText> Near(IQueryable<PersonSearchText> texts, string search, SimilarWords similar)
    {
        var words = Words(search);
        for (var i = 0; i < words.Length; i++)
        {
            var pattern = $"%{EscapeLikePattern(words[i])}%";
            var alternatives = similar.Patterns[i];
            texts = texts.Where(text =>
                EF.Functions.Like(text.Text, ContactSearch.Fold(pattern), LikeEscape)
                || alternatives.Any(alternative => EF.Functions.Like(text.Text, alternative)));
        }

        return texts;
    }

    /// <summary>For each word of <paramref name="search"/>, the known words closest to it, as patterns a contact's search text may hold.</summary>
    public static async Task<SimilarWords> SimilarWordsAsync(AddressBookDbContext db, string search, CancellationToken cancellationToken)
    {
        var words = Words(search);
        var patterns = new string[words.Length][];
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            // A known word that holds the searched one is a contact the search itself finds, not a pattern to add.
            var similar = await db.SearchWords
                .Where(known => EF.Functions.TrigramsAreWordSimilar(ContactSearch.Fold(word), known.Word))
                .Where(known => !known.Word.Contains(ContactSearch.Fold(word)))
                .OrderByDescending(known => EF.Functions.TrigramsWordSimilarity(ContactSearch.Fold(word), known.Word))
                .ThenByDescending(known => EF.Functions.TrigramsSimilarity(ContactSearch.Fold(word), known.Word))
                .ThenBy(known => known.Word)
                .Select(known => known.Word)
                .Take(ContactSearch.SimilarWordsPerTypo)
                .ToListAsync(cancellationToken);
            // A word that holds another of them finds no contact the other does not: one pattern fewer to look up.
            patterns[i] = [.. similar
                .Where(candidate => !similar.Any(other => other != candidate && candidate.Contains(other, StringComparison.Ordinal)))
                .Select(candidate => $"%{EscapeLikePattern(candidate)}%")];
        }

        return new SimilarWords(patterns);
    }

    /// <summary>
    /// One page after <paramref name="after"/>, and one contact more when another page follows, in id order, which the
    /// primary key's index keeps cheap however many contacts match. Ranked by relevance, the contacts that contain every
    /// word; only when none does, those that hold each word or a known word close to it (<see cref="Near"/>): the words
    /// close to a typo match many contacts besides the intended ones, who would crowd out better matches. A search
    /// picks the page's ids among the search texts alone, then reads those contacts: joined first, the planner would
    /// fetch every match of a rare word's trigrams and sort them all, or walk the key past thousands of contacts.
    /// </summary>
    public static async Task<List<RankedContact>> PageAsync(
        AddressBookDbContext db, ContactFilter filter, string search, ContactOrder order, ContactPosition after, int take,
        CancellationToken cancellationToken)
    {
        var people = filter.Apply(db.People.AsNoTracking());
        if (Words(search).Length == 0)
        {
            return order == ContactOrder.Newest
                ? await Before(people, after).Select(RankedBy(ExactTier)).Take(take).ToListAsync(cancellationToken)
                : await After(people, after.Id).Select(RankedBy(ExactTier)).Take(take).ToListAsync(cancellationToken);
        }

        var texts = TextsOf(db, filter);
        switch (order)
        {
            case ContactOrder.Oldest:
                return await PageOfAsync(db, After(Containing(texts, search), after.Id), newestFirst: false, take, ExactTier, cancellationToken);
            case ContactOrder.Newest:
                return await PageOfAsync(db, Before(Containing(texts, search), after), newestFirst: true, take, ExactTier, cancellationToken);
            default:
                if (after.Rank == NearTier)
                {
                    var similar = await SimilarWordsAsync(db, search, cancellationToken);
                    return await PageOfAsync(db, After(Near(texts, search, similar), after.Id), newestFirst: false, take, NearTier, cancellationToken);
                }

                var page = await PageOfAsync(db, After(Containing(texts, search), after.Id), newestFirst: false, take, ExactTier, cancellationToken);
                if (page.Count > 0 || !after.IsStart)
                {
                    return page;
                }

                // With no known word close to any of the words, the near matches are the exact ones: none.
                var similarToFirst = await SimilarWordsAsync(db, search, cancellationToken);
                return similarToFirst.Patterns.All(patterns => patterns.Length == 0)
                    ? page
                    : await PageOfAsync(db, After(Near(texts, search, similarToFirst), 0), newestFirst: false, take, NearTier, cancellationToken);
        }
    }

    /// <summary>The contacts of the first <paramref name="take"/> of <paramref name="texts"/>, in the same order.</summary>
    private static Task<List<RankedContact>> PageOfAsync(
        AddressBookDbContext db, IOrderedQueryable<PersonSearchText> texts, bool newestFirst, int take, double tier, CancellationToken cancellationToken)
    {
        var ids = texts.Select(text => text.Id).Take(take);
        var page = db.People.AsNoTracking().Where(person => ids.Contains(person.Id));
        return (newestFirst ? page.OrderByDescending(person => person.Id) : page.OrderBy(person => person.Id))
            .Select(RankedBy(tier))
            .ToListAsync(cancellationToken);
    }

    /// <summary>How many contacts the listing whose first page this is holds; a page that is the only one counts itself.</summary>
    public static async Task<ContactCount> CountAsync(
        AddressBookDbContext db, ContactFilter filter, string search, IReadOnlyList<RankedContact> firstPage, bool morePages, CancellationToken cancellationToken)
    {
        if (!morePages)
        {
            return new ContactCount(firstPage.Count, Exact: true);
        }

        if (Words(search).Length == 0)
        {
            if (!filter.Narrows)
            {
                // The planner's statistics hold the table's size: no scan of a million rows to print one number.
                var tableSize = await db.Database
                    .SqlQuery<long>($"""SELECT GREATEST(reltuples, 0)::bigint AS "Value" FROM pg_class WHERE oid = '"People"'::regclass""")
                    .SingleAsync(cancellationToken);
                if (tableSize > ExactCountLimit)
                {
                    return new ContactCount(tableSize, Exact: false);
                }
            }

            return await CountUpToLimitAsync(filter.Apply(db.People.AsNoTracking()), cancellationToken);
        }

        var texts = TextsOf(db, filter);
        var typo = firstPage.Any(contact => contact.Rank == NearTier);
        var matching = typo ? Near(texts, search, await SimilarWordsAsync(db, search, cancellationToken)) : Containing(texts, search);
        // Counting even 1,001 contacts of a common word ("smith", or "johnson" for the typo "jonson") takes the
        // trigram index 10-20 ms at a million contacts, where the planner's estimate is there for the asking (0.5 ms).
        // Words it expects to be rare are counted: its estimate of a word no histogram entry holds is a guess. A
        // search's words are estimated as if independent, so past the limit only an estimate well past it is taken.
        var estimate = await EstimatedRowsAsync(db, matching.Select(text => text.Id), cancellationToken);
        if (estimate > (typo ? ExactCountLimit : EstimatedPast))
        {
            return new ContactCount(estimate, Exact: false);
        }

        return await CountUpToLimitAsync(matching, cancellationToken);
    }

    private static async Task<ContactCount> CountUpToLimitAsync<T>(IQueryable<T> rows, CancellationToken cancellationToken)
    {
        var counted = await rows.Take(ExactCountLimit + 1).CountAsync(cancellationToken);
        return counted > ExactCountLimit ? new ContactCount(ExactCountLimit, Exact: false) : new ContactCount(counted, Exact: true);
    }

    /// <summary>How many rows PostgreSQL's planner expects <paramref name="people"/> to find, from its statistics, without running the query.</summary>
    private static async Task<long> EstimatedRowsAsync(AddressBookDbContext db, IQueryable<int> ids, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = ids.CreateDbCommand();
            command.CommandText = $"EXPLAIN (FORMAT JSON) {command.CommandText}";
            var plan = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            using var json = JsonDocument.Parse(plan);
            return (long)json.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static IOrderedQueryable<Person> After(IQueryable<Person> people, int afterId) =>
        people.Where(person => person.Id > afterId).OrderBy(person => person.Id);

    private static IOrderedQueryable<Person> Before(IQueryable<Person> people, ContactPosition before) =>
        (before.IsStart ? people : people.Where(person => person.Id < before.Id)).OrderByDescending(person => person.Id);

    private static IOrderedQueryable<PersonSearchText> After(IQueryable<PersonSearchText> texts, int afterId) =>
        texts.Where(text => text.Id > afterId).OrderBy(text => text.Id);

    private static IOrderedQueryable<PersonSearchText> Before(IQueryable<PersonSearchText> texts, ContactPosition before) =>
        (before.IsStart ? texts : texts.Where(text => text.Id < before.Id)).OrderByDescending(text => text.Id);

    private static Expression<Func<Person, RankedContact>> RankedBy(double tier)
    {
        var toDto = ContactMapping.ToContactDtoExpression;
        var body = Expression.New(
            typeof(RankedContact).GetConstructor([typeof(ContactDto), typeof(double)])!,
            toDto.Body,
            Expression.Constant(tier));
        return Expression.Lambda<Func<Person, RankedContact>>(body, toDto.Parameters);
    }

    private static string[] Words(string search) => search.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string EscapeLikePattern(string text) =>
        text.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal);
}
