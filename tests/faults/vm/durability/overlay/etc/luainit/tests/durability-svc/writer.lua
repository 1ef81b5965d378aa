-- writes a 256 KiB blob with fsync, then appends its checksum as a record
-- (fsync'd again): after `poweroff` both must be on disk
return { type = "oneshot", command = { "/bin/sh", "-c", [[
mkdir -p /var/lib/dur
n=$(( $(cat /var/lib/dur/data 2>/dev/null | wc -l) + 1 ))
dd if=/dev/urandom of=/var/lib/dur/blob.$n bs=64k count=4 conv=fsync 2>/dev/null
sum=$(sha256sum /var/lib/dur/blob.$n | cut -d' ' -f1)
echo "record $n $sum" | dd of=/var/lib/dur/data oflag=append conv=notrunc,fsync 2>/dev/null
echo "wrote record $n"
]] } }
