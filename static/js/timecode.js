/* SMPTE timecode <-> frame index of a master, with a rational frame rate and a start
 * timecode; drop-frame (";" before the frames) for 29.97 and 59.94.
 * Mirrors the server's maths (app/media/timecode.py).
 *
 *   const tc = RushesTimecode.create({fpsNum: 30000, fpsDen: 1001, start: "10:00:00;00"});
 *   tc.format(1800)            // "10:01:00;02"  (frame index 0 = first frame of the file)
 *   tc.parse("10:01:00;02")    // 1800, or null when the text is not a valid timecode
 *   tc.seconds(frame)          // the frame's start time, in seconds
 *   tc.frameAt(seconds)        // the frame shown at that time
 */
(function (root) {
  "use strict";

  var TC_RE = /^\s*(\d{1,2})[:.](\d{1,2})[:.](\d{1,2})([:;.,])(\d{1,3})\s*$/;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function create(options) {
    var num = Number(options.fpsNum) || 25;
    var den = Number(options.fpsDen) || 1;
    var rate = num / den;
    var nominal = Math.max(1, Math.round(rate));
    var dropFrame = String(options.start || "").indexOf(";") >= 0;
    var drop = 0;
    if (dropFrame && den !== 1 && nominal % 30 === 0) {
      drop = (2 * nominal) / 30;
    }

    function toCount(hh, mm, ss, ff) {
      var minutes = 60 * hh + mm;
      return (hh * 3600 + mm * 60 + ss) * nominal + ff - drop * (minutes - Math.floor(minutes / 10));
    }
    var day = toCount(24, 0, 0, 0);

    function countToText(count, useDrop) {
      count = ((count % day) + day) % day;
      var d = useDrop ? drop : 0;
      if (d) {
        var per10 = nominal * 600 - d * 9;
        var perMin = nominal * 60 - d;
        var tens = Math.floor(count / per10);
        var rest = count % per10;
        count += d * 9 * tens;
        if (rest > d) {
          count += d * Math.floor((rest - d) / perMin);
        }
      }
      var ff = count % nominal;
      var secs = Math.floor(count / nominal);
      return (
        pad(Math.floor(secs / 3600)) + ":" + pad(Math.floor(secs / 60) % 60) + ":" +
        pad(secs % 60) + (d ? ";" : ":") + pad(ff)
      );
    }

    function parseCount(text) {
      var m = TC_RE.exec(text || "");
      if (!m) return null;
      var hh = +m[1], mm = +m[2], ss = +m[3], ff = +m[5];
      if (hh > 23 || mm > 59 || ss > 59 || ff >= nominal) return null;
      if (drop && ss === 0 && mm % 10 !== 0 && ff < drop) return null;
      return toCount(hh, mm, ss, ff);
    }

    var start = parseCount(options.start || "") || 0;
    var total = Number(options.frames) || 0;

    return {
      fpsNum: num,
      fpsDen: den,
      rate: rate,
      nominal: nominal,
      dropFrame: !!drop,
      frames: total,
      /* Timecode of frame index `frame` of the master. */
      format: function (frame) {
        return countToText(start + frame, true);
      },
      /* Frame index of a master timecode, or null if the text is not a timecode. */
      parse: function (text) {
        var count = parseCount(text);
        if (count === null) return null;
        var frame = count - start;
        if (frame < 0 && start + total > day) frame += day; // the master crosses midnight
        return frame;
      },
      /* Frames from the start of the file of a time written HH:MM:SS:FF (or HH:MM:SS)
       * counted from zero, e.g. "00:00:05:00" in a shot list; null if not a time. */
      parseOffset: function (text) {
        var t = String(text || "").trim();
        if (/^\d{1,2}:\d{1,2}:\d{1,2}$/.test(t)) t += ":00";
        return parseCount(t);
      },
      /* A duration in frames as HH:MM:SS:FF counted from zero. */
      duration: function (frames) {
        return countToText(frames, false);
      },
      /* Start time of a frame, and the middle of it (where to seek to show it). */
      seconds: function (frame) {
        return (frame * den) / num;
      },
      seekTime: function (frame) {
        return ((frame + 0.5) * den) / num;
      },
      /* The frame shown at `seconds` (a presentation time of the player). */
      frameAt: function (seconds) {
        return Math.floor((seconds * num) / den + 1e-6);
      },
      framesPerSecond: nominal,
    };
  }

  root.RushesTimecode = { create: create };
})(window);
