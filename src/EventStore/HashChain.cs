using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CoManagement.EventStore;

/// <summary>
/// The event hash chain, computed the same way as the <c>event_hash</c> SQL function so a copy can be checked without
/// the database: SHA-256 over the previous hash of the stream and the event's canonical bytes — stream id, version,
/// position, type, schema version, business and recorded time (UTC, microseconds), data and metadata as PostgreSQL's
/// jsonb text, separated by newlines.
/// </summary>
public static class HashChain
{
    public static readonly byte[] Genesis = new byte[32];

    public static byte[] Compute(ReadOnlySpan<byte> previous, RecordedEvent e)
    {
        var text = string.Join('\n',
            e.StreamId,
            e.Version.ToString(CultureInfo.InvariantCulture),
            e.Position.ToString(CultureInfo.InvariantCulture),
            e.Type,
            e.SchemaVersion.ToString(CultureInfo.InvariantCulture),
            FormatTime(e.BusinessTime),
            FormatTime(e.RecordedTime),
            e.Json,
            e.MetadataJson);
        var bytes = new byte[previous.Length + Encoding.UTF8.GetByteCount(text)];
        previous.CopyTo(bytes);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(previous.Length));
        return SHA256.HashData(bytes);
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A seal's digest of a range: every event's position and hash, in position order.</summary>
    public static byte[] RangeDigest(IEnumerable<(long Position, byte[] Hash)> events, out long count)
    {
        using var digester = new RangeDigester();
        foreach (var (position, hash) in events)
            digester.Add(position, hash);
        count = digester.Count;
        return digester.Finish();
    }

    /// <summary><see cref="RangeDigest"/> an event at a time; <see cref="Finish"/> starts the next range.</summary>
    public sealed class RangeDigester : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _position = new byte[8];

        public long Count { get; private set; }

        public void Add(long position, byte[] hash)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(_position, position);
            _sha.AppendData(_position);
            _sha.AppendData(hash);
            Count++;
        }

        public byte[] Finish()
        {
            Count = 0;
            return _sha.GetHashAndReset();
        }

        public void Dispose() => _sha.Dispose();
    }

    public static byte[] SealHash(byte[] previousSealHash, long sealNo, long fromPosition, long toPosition, long eventCount, byte[] eventsHash)
    {
        var header = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{sealNo}\n{fromPosition}\n{toPosition}\n{eventCount}\n"));
        return SHA256.HashData([.. previousSealHash, .. header, .. eventsHash]);
    }
}
