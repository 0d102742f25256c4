using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace CoManagement.EventStore;

/// <summary>
/// Rows in PostgreSQL's binary <c>COPY</c> format, encoded into a buffer of our own and sent through Npgsql's raw copy
/// stream. <see cref="NpgsqlBinaryImporter"/> binds every value as a parameter of its own (type resolution, a
/// converter, a size pass: about 90 ns a value, and a rebuild's flush at a million members writes 81 million); the
/// format is simple enough to write directly: per row a field count, per field a length (−1 for null) and the value in
/// its binary send form (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"). The bulk import
/// stages its events with it, and the projections' rebuilds write their tables with it.
/// </summary>
public sealed class CopyWriter
{
    /// <summary>The buffer is sent once it holds this much (Npgsql's own write buffer is 8 KB; larger sends cost less).</summary>
    private const int SendAt = 64 * 1024;

    /// <summary>timestamptz counts microseconds from 2000-01-01 UTC.</summary>
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary><c>PGCOPY\n\377\r\n\0</c></summary>
    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', 10, 255, 13, 10, 0];

    private byte[] _buffer = new byte[2 * SendAt];
    private int _length;

    private CopyWriter() { }

    /// <summary>
    /// Copies <paramref name="rows"/> into <paramref name="target"/> (<c>table (columns…)</c>), each row written by
    /// <paramref name="write"/>; <paramref name="freeze"/>: as frozen rows (the table truncated in this transaction).
    /// </summary>
    public static async Task CopyAsync<T>(NpgsqlConnection connection, string target, IEnumerable<T> rows, short fields,
        Action<CopyWriter, T> write, CancellationToken ct, bool freeze = false)
    {
        var copy = await connection.BeginRawBinaryCopyAsync($"COPY {target} FROM STDIN (FORMAT BINARY{(freeze ? ", FREEZE" : "")})", ct).ConfigureAwait(false);
        // Completing a million-row COPY can take longer than a command may (30 s by default).
        copy.ReadTimeout = copy.WriteTimeout = (int)TimeSpan.FromHours(1).TotalMilliseconds;
        try
        {
            var writer = new CopyWriter();
            writer.WriteHeader();
            foreach (var row in rows)
            {
                writer.WriteShort(fields);
                write(writer, row);
                if (writer._length >= SendAt)
                    await writer.SendAsync(copy, ct).ConfigureAwait(false);
            }
            writer.WriteShort(-1);
            await writer.SendAsync(copy, ct).ConfigureAwait(false);
        }
        catch
        {
            // Disposing the stream would end the COPY as complete, with the rows sent so far. The first error is the
            // one to report: a cancel on a broken connection fails too.
            try { await copy.CancelAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is NpgsqlException or ObjectDisposedException or InvalidOperationException) { }
            throw;
        }
        await copy.DisposeAsync().ConfigureAwait(false);
    }

    public void WriteNull() => WriteInt(-1);

    private void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    public void WriteIntField(int value)
    {
        WriteInt(4);
        WriteInt(value);
    }

    public void WriteIntField(int? value)
    {
        if (value is { } v)
            WriteIntField(v);
        else
            WriteNull();
    }

    public void WriteLongField(long value)
    {
        WriteInt(8);
        BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);
    }

    public void WriteBoolField(bool value)
    {
        WriteInt(1);
        Reserve(1)[0] = value ? (byte)1 : (byte)0;
    }

    /// <summary>A UTC time as timestamptz; <see cref="DateTime.MinValue"/> and <see cref="DateTime.MaxValue"/> are -infinity and infinity, as Npgsql writes them.</summary>
    public void WriteTimeField(DateTime utc) => WriteLongField(
        utc == DateTime.MaxValue ? long.MaxValue : utc == DateTime.MinValue ? long.MinValue : (utc.Ticks - PostgresEpochTicks) / 10);

    public void WriteTimeField(DateTime? utc)
    {
        if (utc is { } v)
            WriteTimeField(v);
        else
            WriteNull();
    }

    public void WriteTextField(string? value)
    {
        if (value is null)
            WriteNull();
        else
            WriteUtf8Field([], value);
    }

    /// <summary>JSON text as jsonb: its binary form is a version byte (1) and the text.</summary>
    public void WriteJsonbField(string json) => WriteUtf8Field([1], json);

    /// <summary>A field of <paramref name="prefix"/> followed by <paramref name="value"/> in UTF-8.</summary>
    private void WriteUtf8Field(ReadOnlySpan<byte> prefix, string value)
    {
        var span = Reserve(4 + prefix.Length + Encoding.UTF8.GetMaxByteCount(value.Length));
        prefix.CopyTo(span[4..]);
        var length = prefix.Length + Encoding.UTF8.GetBytes(value, span[(4 + prefix.Length)..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        _length -= span.Length - 4 - length;
    }

    private void WriteHeader()
    {
        Signature.CopyTo(Reserve(Signature.Length));
        WriteInt(0); // flags: no OIDs
        WriteInt(0); // no header extension
    }

    private void WriteShort(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(2 * _buffer.Length, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    private async ValueTask SendAsync(NpgsqlRawCopyStream copy, CancellationToken ct)
    {
        await copy.WriteAsync(_buffer.AsMemory(0, _length), ct).ConfigureAwait(false);
        _length = 0;
    }
}
