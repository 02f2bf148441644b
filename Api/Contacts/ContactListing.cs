using System.Linq.Expressions;
using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

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

/// <summary>Where a page ends: the last contact's id, and in a ranked listing its rank.</summary>
public readonly record struct ContactPosition(double Rank, int Id)
{
    public static readonly ContactPosition Start = new(double.PositiveInfinity, 0);

    public bool IsStart => this == Start;

    public string Encode(ContactOrder order) => order == ContactOrder.Relevance ? ContactCursor.Encode(Rank, Id) : ContactCursor.Encode(Id);

    public static bool TryDecode(string cursor, ContactOrder order, out ContactPosition position)
    {
        double rank = 0;
        int id;
        var decoded = order == ContactOrder.Relevance ? ContactCursor.TryDecode(cursor, out rank, out id) : ContactCursor.TryDecode(cursor, out id);
        position = decoded ? new ContactPosition(rank, id) : Start;
        return decoded;
    }
}

/// <summary>The queries behind a listing: which contacts match a search, in which order, how many there are.</summary>
public static class ContactListing
{
    /// <summary>Past this many matches a count is given as an estimate.</summary>
    public const int ExactCountLimit = 1000;

    private const string LikeEscape = "\\";

    /// <summary>
    /// Every word must be part of the contact's search text, or close to a word of it (pg_trgm's word similarity), so a
    /// typo still finds it. Both tests are answered by the trigram index.
    /// </summary>
    public static IQueryable<Person> Matching(IQueryable<Person> people, string search)
    {
        foreach (var word in search.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pattern = $"%{EscapeLikePattern(word)}%";
            people = people.Where(person =>
                EF.Functions.Like(EF.Property<string>(person, PersonConfiguration.SearchColumn), ContactSearch.Fold(pattern), LikeEscape)
                || EF.Functions.TrigramsAreWordSimilar(ContactSearch.Fold(word), EF.Property<string>(person, PersonConfiguration.SearchColumn)));
        }

        return people;
    }

    /// <summary>The matches after <paramref name="after"/>, in a stable order: ties in rank fall back to the id.</summary>
    public static IQueryable<RankedContact> Page(IQueryable<Person> matches, string search, ContactOrder order, ContactPosition after)
    {
        switch (order)
        {
            case ContactOrder.Oldest:
                return matches.Where(person => person.Id > after.Id).OrderBy(person => person.Id).Select(RankedBy(person => 0d));
            case ContactOrder.Newest:
                return (after.IsStart ? matches : matches.Where(person => person.Id < after.Id))
                    .OrderByDescending(person => person.Id)
                    .Select(RankedBy(person => 0d));
            default:
                if (!after.IsStart)
                {
                    matches = matches.Where(person =>
                        EF.Functions.TrigramsWordSimilarity(ContactSearch.Fold(search), EF.Property<string>(person, PersonConfiguration.SearchColumn)) < after.Rank
                        || (EF.Functions.TrigramsWordSimilarity(ContactSearch.Fold(search), EF.Property<string>(person, PersonConfiguration.SearchColumn)) == after.Rank
                            && person.Id > after.Id));
                }

                return matches
                    .OrderByDescending(person => EF.Functions.TrigramsWordSimilarity(ContactSearch.Fold(search), EF.Property<string>(person, PersonConfiguration.SearchColumn)))
                    .ThenBy(person => person.Id)
                    .Select(RankedBy(person => EF.Functions.TrigramsWordSimilarity(ContactSearch.Fold(search), EF.Property<string>(person, PersonConfiguration.SearchColumn))));
        }
    }

    public static async Task<ContactCount> CountAsync(AddressBookDbContext db, IQueryable<Person> matches, bool filtered, CancellationToken cancellationToken)
    {
        if (!filtered)
        {
            // The planner's statistics hold the table's size: no scan of a million rows to print one number.
            var estimate = await db.Database
                .SqlQuery<long>($"""SELECT GREATEST(reltuples, 0)::bigint AS "Value" FROM pg_class WHERE oid = '"People"'::regclass""")
                .SingleAsync(cancellationToken);
            if (estimate > ExactCountLimit)
            {
                return new ContactCount(estimate, Exact: false);
            }
        }

        var counted = await matches.Take(ExactCountLimit + 1).CountAsync(cancellationToken);
        return counted > ExactCountLimit ? new ContactCount(ExactCountLimit, Exact: false) : new ContactCount(counted, Exact: true);
    }

    private static Expression<Func<Person, RankedContact>> RankedBy(Expression<Func<Person, double>> rank)
    {
        var toDto = ContactMapping.ToContactDtoExpression;
        var person = toDto.Parameters[0];
        var body = Expression.New(
            typeof(RankedContact).GetConstructor([typeof(ContactDto), typeof(double)])!,
            toDto.Body,
            ReplacingExpressionVisitor.Replace(rank.Parameters[0], person, rank.Body));
        return Expression.Lambda<Func<Person, RankedContact>>(body, person);
    }

    private static string EscapeLikePattern(string text) =>
        text.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal);
}
