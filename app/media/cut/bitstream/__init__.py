"""Bitstream surgery for the smart cut, on the bytes of the master's packets.

* :mod:`.nal`: NAL units of H.264 and HEVC (split and join, parameter sets out of
  ``avcC``/``hvcC``, an HEVC CRA renamed BLA, x265's HEVC parameter sets renumbered);
* :mod:`.h264_syntax` and :mod:`.h264_opengop`: an open-GOP H.264 I frame rewritten
  into an IDR, and the copied slices after it renumbered;
* :mod:`.mpeg2`: the time code of MPEG-2 GOP headers written (it is read, for the
  probe and the cut alike, by :func:`app.media.source.gop_timecode`).
"""
