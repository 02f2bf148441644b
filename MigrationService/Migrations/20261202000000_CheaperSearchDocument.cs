using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// Computes the folded search text for a third of the work per row (<see cref="ContactSearch.DocumentFunctionSql"/>).
/// The model does not change: the column still calls the same function. Rows already stored keep the text the first
/// function made; it holds the same words with spaces where the new one has JSON punctuation, which every search
/// treats alike, so rewriting every row (and with it every contact's version, which clients hold as ETags) buys
/// nothing; each row gets the new text the next time it is written.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261202000000_CheaperSearchDocument")]
public sealed class CheaperSearchDocument : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ContactSearch.DocumentFunctionSql);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ContactSearch.FirstDocumentFunctionSql);
    }
}
