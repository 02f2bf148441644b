using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AddressBook.Api.Data;

/// <summary>
/// Maps <see cref="Person"/> onto the table the tutorial's Sequelize model created, name for name,
/// so a database the tutorial already filled is adopted in place instead of migrated. The contact details
/// came later as columns with defaults, so the tutorial's app still reads and inserts rows as before.
/// </summary>
public sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public const int NameMaxLength = 255;

    public const string PrimaryKeyName = "People_pkey";

    /// <summary>The generated column the search text lived in until it got a table of its own (<see cref="PersonSearchText"/>).</summary>
    public const string FormerSearchColumn = "search";

    private static readonly JsonSerializerOptions JsonColumnOptions = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Person> person)
    {
        person.ToTable("People");
        person.HasKey(p => p.Id).HasName(PrimaryKeyName);

        person.Property(p => p.Id).HasColumnName("id");
        person.Property(p => p.FirstName).HasColumnName("firstName").HasMaxLength(NameMaxLength);
        person.Property(p => p.LastName).HasColumnName("lastName").HasMaxLength(NameMaxLength);
        person.Property(p => p.Company).HasColumnName("company").HasMaxLength(NameMaxLength);
        person.Property(p => p.Title).HasColumnName("title").HasMaxLength(NameMaxLength);
        person.Property(p => p.Birthday).HasColumnName("birthday");
        person.Property(p => p.Notes).HasColumnName("notes");
        person.Property(p => p.Favorite).HasColumnName("favorite");
        person.Property(p => p.Tags).HasColumnName("tags");
        JsonColumn(person.Property(p => p.Emails), "emails");
        JsonColumn(person.Property(p => p.Phones), "phones");
        JsonColumn(person.Property(p => p.Addresses), "addresses");
        person.Property(p => p.CreatedAt).HasColumnName("createdAt");
        person.Property(p => p.UpdatedAt).HasColumnName("updatedAt");
        person.Property(p => p.Version).IsRowVersion();

        person.HasIndex(p => p.Tags).HasDatabaseName("IX_People_tags").HasMethod("gin");
    }

    // Lists of small records live in jsonb: they are read and written with their contact, never on their own.
    private static void JsonColumn<T>(PropertyBuilder<List<T>> property, string column) => property
        .HasColumnName(column)
        .HasColumnType("jsonb")
        .HasConversion(
            values => JsonSerializer.Serialize(values, JsonColumnOptions),
            json => JsonSerializer.Deserialize<List<T>>(json, JsonColumnOptions) ?? new List<T>(),
            new ValueComparer<List<T>>(
                (a, b) => a!.SequenceEqual(b!),
                values => values.Aggregate(0, (hash, value) => HashCode.Combine(hash, value)),
                values => values.ToList()));
}
