using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace AddressBook.Api.Contacts;

/// <summary>
/// The position after which the next page starts: the last id of the page before, and for a page ranked by relevance
/// that contact's rank too; kept opaque so clients cannot come to depend on what it holds.
/// </summary>
public static class ContactCursor
{
    public static string Encode(int lastId)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32BigEndian(bytes, lastId);
        return Base64Url.EncodeToString(bytes);
    }

    public static string Encode(double lastRank, int lastId)
    {
        Span<byte> bytes = stackalloc byte[sizeof(double) + sizeof(int)];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, lastRank);
        BinaryPrimitives.WriteInt32BigEndian(bytes[sizeof(double)..], lastId);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string cursor, out double lastRank, out int lastId)
    {
        Span<byte> bytes = stackalloc byte[sizeof(double) + sizeof(int)];
        if (Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) == OperationStatus.Done && written == bytes.Length)
        {
            lastRank = BinaryPrimitives.ReadDoubleBigEndian(bytes);
            lastId = BinaryPrimitives.ReadInt32BigEndian(bytes[sizeof(double)..]);
            return double.IsFinite(lastRank);
        }

        (lastRank, lastId) = (0, 0);
        return false;
    }

    public static bool TryDecode(string cursor, out int lastId)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        if (Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) == OperationStatus.Done && written == sizeof(int))
        {
            lastId = BinaryPrimitives.ReadInt32BigEndian(bytes);
            return true;
        }

        lastId = 0;
        return false;
    }
}
