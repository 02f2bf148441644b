using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// Adds the table of words a typo is looked up in (<see cref="SearchWord"/>) with its trigram index, the trigger that
/// keeps it, and the words of the contacts already stored, so a typo finds them as it finds new ones; and a finer
/// histogram of the search text (<see cref="ContactSearch.SearchStatisticsTarget"/>), so the contacts of the words a typo
/// stands for are fetched by the plan that suits how many there are.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261203000000_SearchWords")]
public sealed class SearchWords : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: SearchWordConfiguration.TableName,
            columns: table => new
            {
                word = table.Column<string>(type: "text", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_SearchWords", word => word.word));

        migrationBuilder.CreateIndex(name: SearchWordConfiguration.IndexName, table: SearchWordConfiguration.TableName, column: "word")
            .Annotation("Npgsql:IndexMethod", "gin")
            .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

        migrationBuilder.Sql(ContactSearch.SearchWordsSql);
        migrationBuilder.Sql(ContactSearch.SetSearchStatisticsSql("People", ContactSearch.SearchStatisticsTarget));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ContactSearch.SetSearchStatisticsSql("People", -1));
        migrationBuilder.Sql(ContactSearch.DropSearchWordsSql);
        migrationBuilder.DropTable(name: SearchWordConfiguration.TableName);
    }
}
