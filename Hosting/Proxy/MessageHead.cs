using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace AddressBook.Hosting.Proxy;

/// <summary>Why a message head could not be taken: the status the client is answered with.</summary>
internal sealed class BadMessageException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}

/// <summary>
/// The start line and header fields of one HTTP/1.x message (RFC 9112), kept as the bytes that arrived: the relay writes
/// the fields it passes on exactly as they were sent, and decodes only the few that decide how the message is framed
/// and routed.
/// </summary>
internal sealed class MessageHead
{
    /// <summary>The most a request or response head may take, as Kestrel's default limit for request headers.</summary>
    public const int MaxLength = 32 * 1024;

    private readonly List<(int NameStart, int NameLength, int LineStart, int LineLength)> _fields = [];
    private byte[] _bytes = new byte[4096];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, Length);

    public string Method { get; private set; } = "";

    /// <summary>The request target; empty for a response.</summary>
    public string Target { get; private set; } = "";

    public int Status { get; private set; }

    /// <summary>1 for HTTP/1.1, 0 for HTTP/1.0.</summary>
    public int MinorVersion { get; private set; }

    public long? ContentLength { get; private set; }

    public bool Chunked { get; private set; }

    /// <summary>Connection: close, or HTTP/1.0 without keep-alive.</summary>
    public bool Close { get; private set; }

    public bool ExpectsContinue { get; private set; }

    public string? Host { get; private set; }

    /// <summary>Header names the Connection field lists: they belong to this hop only (RFC 9110, 7.6.1).</summary>
    private List<string>? _connectionOptions;

    /// <summary>The length of the head at the start of <paramref name="buffer"/>, its empty line included; 0 while it is incomplete.</summary>
    public static int FindEnd(in ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8, advancePastDelimiter: true) ? (int)head.Length + 4 : 0;
    }

    public void ParseRequest(in ReadOnlySequence<byte> head) => Parse(head, request: true);

    public void ParseResponse(in ReadOnlySequence<byte> head) => Parse(head, request: false);

    public string? Get(string name)
    {
        string? value = null;
        foreach (var field in _fields)
        {
            if (NameIs(field, name))
            {
                var text = ValueOf(field);
                value = value is null ? text : $"{value}, {text}";
            }
        }

        return value;
    }

    /// <summary>Writes every field but the ones <paramref name="keep"/> turns down, and the hop-by-hop ones.</summary>
    public void WriteFields(IBufferWriter<byte> to, Func<MessageHead, int, bool>? keep = null)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            var field = _fields[i];
            if (IsHopByHop(field) || (keep is not null && !keep(this, i)))
            {
                continue;
            }

            to.Write(_bytes.AsSpan(field.LineStart, field.LineLength));
        }
    }

    public bool FieldNameIs(int index, string name) => NameIs(_fields[index], name);

    private bool IsHopByHop((int NameStart, int NameLength, int LineStart, int LineLength) field)
    {
        var name = _bytes.AsSpan(field.NameStart, field.NameLength);
        foreach (var hop in HopByHop)
        {
            if (Ascii.EqualsIgnoreCase(name, hop))
            {
                return true;
            }
        }

        if (_connectionOptions is not null)
        {
            foreach (var option in _connectionOptions)
            {
                if (Ascii.EqualsIgnoreCase(name, option))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Transfer-Encoding is not among them: bodies are relayed as they came, chunks and all, so their framing goes too.
    private static readonly string[] HopByHop =
        ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Proxy-Authenticate", "Proxy-Authorization"];

    private void Parse(in ReadOnlySequence<byte> head, bool request)
    {
        if (head.Length > _bytes.Length)
        {
            _bytes = new byte[Math.Max((int)head.Length, _bytes.Length * 2)];
        }

        head.CopyTo(_bytes);
        Length = (int)head.Length;
        _fields.Clear();
        _connectionOptions = null;
        ContentLength = null;
        Chunked = false;
        ExpectsContinue = false;
        Host = null;
        Status = 0;

        var bytes = _bytes.AsSpan(0, Length);
        var lineEnd = bytes.IndexOf("\r\n"u8);
        ParseStartLine(bytes[..lineEnd], request);
        var position = lineEnd + 2;
        var keepAlive = false;
        var close = false;
        var transferEncoding = false;
        while (position < Length - 2)
        {
            var line = bytes[position..];
            var end = line.IndexOf("\r\n"u8);
            line = line[..end];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]) || line.IndexOfAny((byte)'\n', (byte)'\r', (byte)0) >= 0)
            {
                // Also a line folded onto the one before (obsolete, RFC 9112 5.2) and a field name followed by white space.
                throw new BadMessageException(400, "A header line is malformed.");
            }

            var field = (position, colon, position, end + 2);
            _fields.Add(field);
            var value = line[(colon + 1)..].Trim(" \t"u8);
            var name = line[..colon];
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var consumed) || consumed != value.Length || length < 0
                    || (ContentLength is { } earlier && earlier != length))
                {
                    throw new BadMessageException(400, "The Content-Length header is not one whole number.");
                }

                ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                transferEncoding = true;
                var codings = Encoding.ASCII.GetString(value);
                Chunked = codings.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault() is { } last
                    && last.Equals("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var option in Encoding.ASCII.GetString(value).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (option.Equals("close", StringComparison.OrdinalIgnoreCase))
                    {
                        close = true;
                    }
                    else if (option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                    {
                        keepAlive = true;
                    }
                    else
                    {
                        (_connectionOptions ??= []).Add(option);
                    }
                }
            }
            else if (request && Ascii.EqualsIgnoreCase(name, "Expect"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "100-continue"u8))
                {
                    throw new BadMessageException(417, "Only 'Expect: 100-continue' is understood.");
                }

                ExpectsContinue = true;
            }
            else if (request && Ascii.EqualsIgnoreCase(name, "Host"u8))
            {
                if (Host is not null)
                {
                    throw new BadMessageException(400, "A request has one Host header.");
                }

                Host = Encoding.ASCII.GetString(value);
            }

            position += end + 2;
        }

        if (transferEncoding)
        {
            // Either framing could be believed where both are given, which is how requests are smuggled past proxies.
            if (ContentLength is not null)
            {
                throw new BadMessageException(400, "A message has a Content-Length or a Transfer-Encoding, not both.");
            }

            if (!Chunked)
            {
                throw request
                    ? new BadMessageException(400, "A request body's transfer coding must end with chunked.")
                    : new BadMessageException(502, "The service's response has a transfer coding this endpoint cannot frame.");
            }
        }

        if (request && MinorVersion == 1 && Host is null)
        {
            throw new BadMessageException(400, "An HTTP/1.1 request has a Host header.");
        }

        Close = close || (MinorVersion == 0 && !keepAlive);
    }

    private void ParseStartLine(ReadOnlySpan<byte> line, bool request)
    {
        var first = line.IndexOf((byte)' ');
        var rest = first < 0 ? default : line[(first + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (first <= 0 || (request && second <= 0))
        {
            throw new BadMessageException(request ? 400 : 502, request ? "The request line is malformed." : "The service's status line is malformed.");
        }

        if (request)
        {
            var method = line[..first];
            var target = rest[..second];
            var version = rest[(second + 1)..];
            if (!IsToken(method) || target.IndexOfAnyInRange((byte)0, (byte)' ') >= 0 || target.Contains((byte)0x7f))
            {
                throw new BadMessageException(400, "The request line is malformed.");
            }

            MinorVersion = VersionOf(version) ?? throw new BadMessageException(505, "This endpoint speaks HTTP/1.0 and HTTP/1.1.");
            Method = Encoding.ASCII.GetString(method);
            Target = Encoding.ASCII.GetString(target);
        }
        else
        {
            var version = line[..first];
            var code = second < 0 ? rest : rest[..second];
            if (VersionOf(version) is not { } minor || code.Length != 3 || !Utf8Parser.TryParse(code, out int status, out _) || status < 100)
            {
                throw new BadMessageException(502, "The service's status line is malformed.");
            }

            MinorVersion = minor;
            Status = status;
            Method = "";
            Target = "";
        }
    }

    private static int? VersionOf(ReadOnlySpan<byte> version) =>
        version.SequenceEqual("HTTP/1.1"u8) ? 1 : version.SequenceEqual("HTTP/1.0"u8) ? 0 : null;

    private static bool IsToken(ReadOnlySpan<byte> text) => text.Length > 0 && !text.ContainsAnyExcept(TokenChars);

    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private bool NameIs((int NameStart, int NameLength, int LineStart, int LineLength) field, string name) =>
        Ascii.EqualsIgnoreCase(_bytes.AsSpan(field.NameStart, field.NameLength), name);

    private string ValueOf((int NameStart, int NameLength, int LineStart, int LineLength) field)
    {
        var valueStart = field.NameStart + field.NameLength + 1;
        var value = _bytes.AsSpan(valueStart, field.LineStart + field.LineLength - 2 - valueStart).Trim(" \t"u8);
        return Encoding.Latin1.GetString(value);
    }
}
