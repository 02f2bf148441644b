using AddressBook.Api.Data;
using AddressBook.Api.Edge;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Views;

public sealed record PageViews(long Views);

/// <summary>The serverless site's visitor counter: each load of the page counts once, in PostgreSQL.</summary>
public static class ViewsEndpoints
{
    public const string ContactsPage = "contacts";

    public static RouteGroupBuilder MapViews(this IEndpointRouteBuilder endpoints)
    {
        // Counting a view is part of reading the page, so the read-only key may do it.
        var views = endpoints.MapGroup("/api/views")
            .WithTags("Views")
            .RequireApiReadKey()
            .WithRequestBodyLimit(0);

        views.MapPost("", CountViewAsync);

        return views;
    }

    /// <summary>
    /// One statement that creates or increments the row and returns the new count: concurrent views queue on the row
    /// lock, so none is lost and each caller sees its own number.
    /// </summary>
    private static async Task<Ok<PageViews>> CountViewAsync(AddressBookDbContext db, CancellationToken cancellationToken)
    {
        var counts = await db.Database.SqlQuery<long>($"""
            INSERT INTO "PageViews" (page, views) VALUES ({ContactsPage}, 1)
            ON CONFLICT (page) DO UPDATE SET views = "PageViews".views + 1
            RETURNING views AS "Value"
            """).ToListAsync(cancellationToken);

        return TypedResults.Ok(new PageViews(counts.Single()));
    }
}
