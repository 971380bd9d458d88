//go:build windows

package tokencache

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"unsafe"

	"golang.org/x/sys/windows"
)

// unsafeDir says why a directory must not hold the token cache, or "" when
// it may. Mode bits mean little on Windows; what the system offers is the
// directory's owner and its access control list. The owner must be the
// user running the provider (or the owner that user's token gives new
// objects, the Administrators group in an elevated shell), and the list
// must not let Everyone, Authenticated Users, Users or Guests create or
// change files in it.
func unsafeDir(path string, _ os.FileInfo) string {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "its owner and permissions cannot be read: " + err.Error()
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return "it has no owner that can be read"
	}
	if !ownedByCurrentUser(owner) {
		return fmt.Sprintf("it is owned by %s, not by the user running the provider; use a directory of your own, such as one under %%LOCALAPPDATA%%", sidName(owner))
	}
	dacl, _, err := sd.DACL()
	if err != nil && !errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND) {
		return "its access control list cannot be read: " + err.Error()
	}
	// No list at all (a NULL DACL) lets everyone do anything.
	if err != nil || dacl == nil {
		return "it has no access control list, so everyone can write to it; use a directory of your own, such as one under %LOCALAPPDATA%"
	}
	broad := broadGroups()
	// On a directory FILE_WRITE_DATA means "add a file" and FILE_APPEND_DATA
	// "add a subdirectory"; 0x40 is FILE_DELETE_CHILD.
	const fileDeleteChild = 0x40
	const write = windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA | fileDeleteChild |
		windows.DELETE | windows.WRITE_DAC | windows.WRITE_OWNER | windows.GENERIC_WRITE | windows.GENERIC_ALL
	// Reading matters too: files created in the directory inherit its
	// read grants, and whoever can open the lock file can hold it.
	const read = windows.FILE_READ_DATA | windows.GENERIC_READ | windows.GENERIC_ALL
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if windows.GetAce(dacl, i, &ace) != nil || ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if !slices.ContainsFunc(broad, sid.Equals) {
			continue
		}
		inheritOnly := ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0
		toFiles := ace.Header.AceFlags&windows.OBJECT_INHERIT_ACE != 0
		switch {
		case !inheritOnly && ace.Mask&write != 0:
			return fmt.Sprintf("%s can write to it; remove that permission or use a directory of your own, such as one under %%LOCALAPPDATA%%", sidName(sid))
		case (!inheritOnly || toFiles) && ace.Mask&read != 0:
			return fmt.Sprintf("%s can read it or the files created in it, and so hold its locks; remove that permission or use a directory of your own, such as one under %%LOCALAPPDATA%%", sidName(sid))
		}
	}
	return ""
}

// tokenOwner is TOKEN_OWNER: the owner given to objects the token creates.
type tokenOwner struct {
	Owner *windows.SID
}

func ownedByCurrentUser(owner *windows.SID) bool {
	token := windows.GetCurrentProcessToken()
	if user, err := token.GetTokenUser(); err == nil && owner.Equals(user.User.Sid) {
		return true
	}
	var n uint32
	_ = windows.GetTokenInformation(token, windows.TokenOwner, nil, 0, &n)
	if n == 0 {
		return false
	}
	buf := make([]byte, n)
	if windows.GetTokenInformation(token, windows.TokenOwner, &buf[0], n, &n) != nil {
		return false
	}
	def := (*tokenOwner)(unsafe.Pointer(&buf[0]))
	return def.Owner != nil && owner.Equals(def.Owner)
}

func broadGroups() []*windows.SID {
	var out []*windows.SID
	for _, t := range []windows.WELL_KNOWN_SID_TYPE{windows.WinWorldSid, windows.WinAuthenticatedUserSid, windows.WinBuiltinUsersSid, windows.WinBuiltinGuestsSid} {
		if sid, err := windows.CreateWellKnownSid(t); err == nil {
			out = append(out, sid)
		}
	}
	return out
}

func sidName(sid *windows.SID) string {
	if account, domain, _, err := sid.LookupAccount(""); err == nil {
		if domain != "" {
			return domain + `\` + account
		}
		return account
	}
	return sid.String()
}

// tryLockFile takes an exclusive LockFileEx lock without blocking, so that
// the wait can honour a context. Windows releases it when the process ends.
func tryLockFile(f *os.File) (bool, error) {
	ol := new(windows.Overlapped)
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	default:
		return false, err
	}
}

func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// syncDir has nothing to do on Windows: a directory cannot be opened for
// flushing, and MoveFileEx's replacement is what os.Root's Rename uses.
func syncDir(*os.Root) error { return nil }

// foreignParent is not checked on Windows: a user can create directories
// only where the access control list lets them, and what they create there
// does not change another user's rights.
func foreignParent(string, os.FileInfo) string { return "" }

// openNoFollow adds nothing on Windows, where os.Root already refuses a
// link that leads out of the directory and opens share delete access, so a
// reader never blocks the holder's rename.
const openNoFollow = 0
