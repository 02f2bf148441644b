using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// Creates the table exactly as the tutorial's Sequelize model did, so that the worker can record this migration as
/// applied on a tutorial database instead of running it.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261122000000_InitialCreate")]
public sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "People",
            columns: table => new
            {
                id = table.Column<int>(type: "integer", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.SerialColumn),
                firstName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                lastName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                createdAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                updatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("People_pkey", person => person.id));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "People");
    }
}
