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

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chown(string path, uint owner, uint group);
}
