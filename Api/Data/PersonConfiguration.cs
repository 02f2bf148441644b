using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AddressBook.Api.Data;

/// <summary>
/// Maps <see cref="Person"/> onto the table the tutorial's Sequelize model created, name for name,
/// so a database the tutorial already filled is adopted in place instead of migrated.
/// </summary>
public sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public const int NameMaxLength = 255;

    public const string PrimaryKeyName = "People_pkey";

    public void Configure(EntityTypeBuilder<Person> person)
    {
        person.ToTable("People");
        person.HasKey(p => p.Id).HasName(PrimaryKeyName);

        person.Property(p => p.Id).HasColumnName("id");
        person.Property(p => p.FirstName).HasColumnName("firstName").HasMaxLength(NameMaxLength);
        person.Property(p => p.LastName).HasColumnName("lastName").HasMaxLength(NameMaxLength);
        person.Property(p => p.CreatedAt).HasColumnName("createdAt");
        person.Property(p => p.UpdatedAt).HasColumnName("updatedAt");
        person.Property(p => p.Version).IsRowVersion();
    }
}
