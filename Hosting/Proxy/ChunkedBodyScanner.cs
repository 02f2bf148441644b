namespace AddressBook.Hosting.Proxy;

/// <summary>
/// Follows a chunked body (RFC 9112, 7.1) as it streams past, to tell where it ends: the relay passes the chunks on as
/// they came, sizes, extensions and trailers included, and only has to know when the message is over.
/// </summary>
internal sealed class ChunkedBodyScanner
{
    private enum State { Size, Extension, SizeLineFeed, Data, DataCarriageReturn, DataLineFeed, TrailerStart, Trailer, TrailerLineFeed, FinalLineFeed, Done }

    private State _state;
    private long _size;
    private int _sizeDigits;

    public bool IsDone => _state == State.Done;

    public void Reset()
    {
        _state = State.Size;
        _size = 0;
        _sizeDigits = 0;
    }

    /// <summary>How many bytes at the start of <paramref name="bytes"/> belong to the body; fewer than all once it ends.</summary>
    public int Scan(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && _state != State.Done)
        {
            if (_state == State.Data)
            {
                var take = (int)Math.Min(_size, bytes.Length - i);
                i += take;
                _size -= take;
                if (_size == 0)
                {
                    _state = State.DataCarriageReturn;
                }

                continue;
            }

            var b = bytes[i++];
            switch (_state)
            {
                case State.Size when HexValue(b) is var digit and >= 0:
                    // Sixteen hex digits would overflow; no chunk of a real body comes near fifteen.
                    if (++_sizeDigits > 15)
                    {
                        throw Malformed();
                    }

                    _size = (_size * 16) + digit;
                    break;
                case State.Size when _sizeDigits > 0 && b is (byte)';' or (byte)' ' or (byte)'\t':
                    _state = State.Extension;
                    break;
                case State.Size when _sizeDigits > 0 && b == '\r':
                case State.Extension when b == '\r':
                    _state = State.SizeLineFeed;
                    break;
                case State.Extension when b != '\n':
                    break;
                case State.SizeLineFeed when b == '\n':
                    _state = _size == 0 ? State.TrailerStart : State.Data;
                    _sizeDigits = 0;
                    break;
                case State.DataCarriageReturn when b == '\r':
                    _state = State.DataLineFeed;
                    break;
                case State.DataLineFeed when b == '\n':
                    _state = State.Size;
                    break;
                case State.TrailerStart when b == '\r':
                    _state = State.FinalLineFeed;
                    break;
                case State.TrailerStart when b != '\n':
                case State.Trailer when b != '\r' && b != '\n':
                    _state = State.Trailer;
                    break;
                case State.Trailer when b == '\r':
                    _state = State.TrailerLineFeed;
                    break;
                case State.TrailerLineFeed when b == '\n':
                    _state = State.TrailerStart;
                    break;
                case State.FinalLineFeed when b == '\n':
                    _state = State.Done;
                    break;
                default:
                    throw Malformed();
            }
        }

        return i;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static InvalidDataException Malformed() => new("The chunked body is malformed.");
}
