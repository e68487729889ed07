/**
 * The transmission report page. Fields (see transmission.ts): text is hex strings only; ROWS is
 * an array of label/value hex-string pairs; the thumbnail is 8-bit grey samples, THUMB_W x
 * THUMB_H, drawn THUMB_DW x THUMB_DH points (none when THUMB_W is 0).
 */
export const TRANSMISSION_TEMPLATE = `%!PS-Adobe-3.0
%%Title: lpfax transmission report
%%Pages: 1
%%EndComments
/pagewidth @@PAGEWIDTH@@ def
/pageheight @@PAGEHEIGHT@@ def
/isolatin { findfont dup length dict copy dup /Encoding ISOLatin1Encoding put definefont pop } bind def
/R-Text /Helvetica isolatin
/R-Bold /Helvetica-Bold isolatin
/left 54 def
/y pageheight 66 sub def
/down { /y y 3 -1 roll sub def left y moveto } bind def
/font { exch findfont exch scalefont setfont } bind def
% Shows a string in lines no wider than the given width, breaking at spaces.
/showwrapped { /wrapw exch def /todo exch def /line () def
  { todo ( ) search { /word exch def pop /todo exch def } { /word exch def /todo () def } ifelse
    /trial line length 0 eq { word } { line length word length add 1 add string
      dup 0 line putinterval dup line length 32 put dup line length 1 add word putinterval } ifelse def
    trial stringwidth pop wrapw gt line length 0 gt and
    { line show 18 down /line word def } { /line trial def } ifelse
    todo length 0 eq { exit } if } loop
  line show } bind def

%%Page: 1 1
left y moveto /R-Bold 22 font (Transmission report) show
/R-Text 10 font pagewidth left sub @@STAMP@@ stringwidth pop sub y moveto @@STAMP@@ show
10 down 0.8 setlinewidth left y moveto pagewidth left sub y lineto stroke
26 down /R-Bold 14 font @@RESULT@@ pagewidth left 2 mul sub showwrapped
/thumbtop y 24 sub def
12 down
@@ROWS@@ {
  aload pop /value exch def /label exch def
  20 down /R-Bold 10.5 font label show
  left 118 add y moveto /R-Text 10.5 font value pagewidth left 2 mul sub 118 sub @@THUMB_DW@@ sub 18 sub showwrapped
} forall
@@THUMB_W@@ 0 gt {
  gsave
  pagewidth left sub @@THUMB_DW@@ sub thumbtop @@THUMB_DH@@ sub translate
  gsave @@THUMB_DW@@ @@THUMB_DH@@ scale
  @@THUMB_W@@ @@THUMB_H@@ 8 [@@THUMB_W@@ 0 0 @@THUMB_H@@ neg 0 @@THUMB_H@@] @@THUMB_DATA@@ image
  grestore
  0.5 setgray 0.75 setlinewidth 0 0 @@THUMB_DW@@ @@THUMB_DH@@ rectstroke
  grestore
  /R-Text 8 font pagewidth left sub @@THUMB_DW@@ sub thumbtop @@THUMB_DH@@ sub 11 sub moveto (First page) show
} if
showpage
%%EOF
`;
