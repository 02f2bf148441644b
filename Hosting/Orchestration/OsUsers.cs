using System.Runtime.InteropServices;

namespace AddressBook.Hosting;

/// <summary>The few OS account operations the app host needs to run a server as another user.</summary>
internal static partial class OsUsers
{
    public static bool IsRoot => OperatingSystem.IsLinux() && Signals.GetEffectiveUserId() == 0;

    /// <summary>The user's ids from the account database, or null when there is no such user.</summary>
    public static (uint Uid, uint Gid)? Find(string userName)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == userName && uint.TryParse(fields[2], out var uid) && uint.TryParse(fields[3], out var gid))
            {
                return (uid, gid);
            }
        }

        return null;
    }

    public static void ChangeOwner(string path, (uint Uid, uint Gid) owner)
    {
        if (chown(path, owner.Uid, owner.Gid) != 0)
        {
            throw new IOException($"Could not change the owner of {path} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>The numeric owner of a file or directory, or null when it cannot be read.</summary>
    public static unsafe uint? OwnerOf(string path)
    {
        // statx's buffer has the same layout on every architecture, unlike stat's: the owner is at byte 20.
        const int AtCurrentDirectory = -100;
        const uint StatxUid = 0x8;
        var buffer = stackalloc byte[256];
        return statx(AtCurrentDirectory, path, 0, StatxUid, buffer) == 0 ? *(uint*)(buffer + 20) : null;
    }

    public static uint EffectiveUserId => Signals.GetEffectiveUserId();

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
