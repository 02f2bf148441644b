using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// The model as of the latest migration, written by hand like the migrations because the EF Core design-time package
/// is not available here. It must match <see cref="AddressBookDbContext"/>'s model exactly: Migrate refuses to run when
/// the model has changes no migration covers.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
public sealed class AddressBookDbContextModelSnapshot : ModelSnapshot
{
    protected override void BuildModel(ModelBuilder modelBuilder)
    {
        modelBuilder
            .HasAnnotation("ProductVersion", "10.0.0")
            .HasAnnotation("Relational:MaxIdentifierLength", 63);

        modelBuilder.UseSerialColumns();

        modelBuilder.Entity("AddressBook.Api.Data.PageViewCounter", counter =>
        {
            counter.Property<string>("Page")
                .HasMaxLength(64)
                .HasColumnType("character varying(64)")
                .HasColumnName("page");

            counter.Property<long>("Views")
                .HasColumnType("bigint")
                .HasColumnName("views");

            counter.HasKey("Page");

            counter.ToTable("PageViews");
        });

        modelBuilder.Entity("AddressBook.Api.Data.Person", person =>
        {
            person.Property<int>("Id")
                .ValueGeneratedOnAdd()
                .HasColumnType("integer")
                .HasColumnName("id")
                .HasAnnotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.SerialColumn);

            person.Property<DateTimeOffset>("CreatedAt")
                .HasColumnType("timestamp with time zone")
                .HasColumnName("createdAt");

            person.Property<string>("FirstName")
                .IsRequired()
                .HasMaxLength(255)
                .HasColumnType("character varying(255)")
                .HasColumnName("firstName");

            person.Property<string>("LastName")
                .HasMaxLength(255)
                .HasColumnType("character varying(255)")
                .HasColumnName("lastName");

            person.Property<DateTimeOffset>("UpdatedAt")
                .HasColumnType("timestamp with time zone")
                .HasColumnName("updatedAt");

            person.Property<uint>("Version")
                .IsConcurrencyToken()
                .ValueGeneratedOnAddOrUpdate()
                .HasColumnType("xid")
                .HasColumnName("xmin");

            person.HasKey("Id")
                .HasName("People_pkey");

            person.ToTable("People");
        });
    }
}
