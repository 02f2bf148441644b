using System.Text;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Tags in one CSV cell: "friends, work". A tag's own comma or backslash is written \, or \\, so that a tag such as
/// "Smith, Jones family" reads back whole.
/// </summary>
internal static class CsvTagList
{
    public static string Join(IEnumerable<string> tags) =>
        string.Join(", ", tags.Select(tag => tag.Replace(@"\", @"\\").Replace(",", @"\,")));

    public static List<string> Split(string cell)
    {
        var tags = new List<string>();
        var tag = new StringBuilder();
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] == '\\' && i + 1 < cell.Length)
            {
                tag.Append(cell[++i]);
            }
            else if (cell[i] == ',')
            {
                Add(tags, tag);
            }
            else
            {
                tag.Append(cell[i]);
            }
        }

        Add(tags, tag);
        return tags;
    }

    private static void Add(List<string> tags, StringBuilder tag)
    {
        if (!string.IsNullOrWhiteSpace(tag.ToString()))
        {
            tags.Add(tag.ToString().Trim());
        }

        tag.Clear();
    }
}
